"""How a page's files and outputs are named, for every tool that needs to know."""

from __future__ import annotations

import re

LANGUAGE_FILE = re.compile(r"(\.zh-CN|\.en)?\.(md|ipynb)$")


def page_key(src_uri: str) -> str:
    """The language-neutral path of a page: scientist/evaluation.en.md → scientist/evaluation."""
    return LANGUAGE_FILE.sub("", src_uri)


def search_index_path(lang: str, default: str = "zh-TW") -> str:
    """The site-relative path of a language's search index."""
    folder = "" if lang == default else f"{lang}/"
    return f"{folder}search/search_index.{lang}.json"
