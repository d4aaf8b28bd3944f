"""Site name, navigation labels and UI strings per language, from locales/<lang>.yml."""

from __future__ import annotations

import ast
import functools
import re
from copy import deepcopy
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig

from llmcourse import locales

# Material's own string tables that each of our languages starts from.
MATERIAL_BASE = {"zh-TW": "zh-TW", "zh-CN": "zh", "en": "en"}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Fill each i18n language with its name, site name, nav labels and palette labels."""
    # Runs before mkdocs-static-i18n's on_config (priority -100), which applies them.
    for lang_config in config.plugins["i18n"].config.languages:
        data = locales.load(lang_config.locale)
        lang_config["name"] = data["language_name"]
        lang_config["site_name"] = data["site_name"]
        lang_config["site_description"] = data["site_description"]
        lang_config["nav_translations"] = dict(data["nav"])
        lang_config["theme"] = {"palette": _palette(config, data["palette"])}
    return config


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files) -> jinja2.Environment:
    """Serve partials/languages/<lang>.html from Material's strings plus locales/ `ui`."""
    partials = {
        f"partials/languages/{lang}.html": _language_partial(lang, config)
        for lang in locales.LANGUAGES
    }
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader(partials), env.loader])
    return env


def _palette(config: MkDocsConfig, labels: dict[str, str]) -> list[dict]:
    """The theme's palette with each toggle's label in the language."""
    palette = deepcopy(config.theme["palette"])
    for scheme in palette:  # the light scheme's toggle switches to dark, and back
        scheme["toggle"]["name"] = labels["dark" if scheme["scheme"] == "default" else "light"]
    return palette


def _language_partial(lang: str, config: MkDocsConfig) -> str:
    """A Material language macro: its base table with our overrides."""
    table = dict(_material_strings(MATERIAL_BASE[lang], tuple(config.theme.dirs)))
    table.update(locales.load(lang).get("ui", {}))
    body = ",\n".join(f"  {k!r}: {v!r}" for k, v in table.items())
    return "{% macro t(key) %}{{ {\n" + body + "\n}[key] }}{% endmacro %}\n"


@functools.cache
def _material_strings(name: str, dirs: tuple[str, ...]) -> dict[str, str]:
    for folder in dirs:
        path = Path(folder) / "partials" / "languages" / f"{name}.html"
        if path.exists():
            source = path.read_text(encoding="utf-8")
            table = re.search(r"\{\{ (\{.*\}) ?\[key\]", source, re.S)
            if table:
                return ast.literal_eval(table.group(1))
    raise FileNotFoundError(f"Material has no language table '{name}' in {dirs}")
