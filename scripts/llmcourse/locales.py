"""The site's UI text per language, read once from locales/<lang>.yml."""

from __future__ import annotations

import functools

from llmcourse import LOCALES, yamlfile


@functools.cache
def load(lang: str) -> dict:
    """The parsed locales/<lang>.yml (site name, nav labels, UI strings, notices)."""
    path = LOCALES / f"{lang}.yml"
    data = yamlfile.read(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}:1:1: expected a mapping of UI texts")
    return data


def text(lang: str, *keys: str) -> str:
    """One UI text, e.g. text('en', 'notices', 'fallback')."""
    node = load(lang)
    for key in keys:
        node = node[key]
    return node
