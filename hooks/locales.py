"""Site name, navigation labels and UI strings per language, from locales/<lang>.yml."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from llmcourse import locales, notebook_html, pages, theme_text


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
    # Python-Markdown has no languages: its heading-link tooltip is set for each build.
    i18n = config.plugins["i18n"]
    lang = i18n.current_language or i18n.default_language
    toc = config.mdx_configs.setdefault("toc", {})
    toc["permalink_title"] = locales.text(lang, "ui", "toc.permalink")
    return config


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files) -> jinja2.Environment:
    """Serve partials/languages/<lang>.html from Material's strings plus locales/ `ui`."""
    partials = {
        f"partials/languages/{lang}.html": _language_partial(lang, config) for lang in pages.LANGS
    }
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader(partials), env.loader])
    return env


@event_priority(50)  # after hooks/sanitize.py (100): the labels are ours, the cells are not
def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files) -> str:
    """mkdocs-jupyter's copy buttons in the reader's language, as Material's are."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    lang = config.plugins["i18n"].current_language
    table = theme_text.ui_table(lang, tuple(config.theme.dirs))
    has_code = notebook_html.has_code(Path(page.file.abs_src_path).read_bytes())
    return theme_text.localize_notebook(html, table, has_code=has_code)


def _palette(config: MkDocsConfig, labels: dict[str, str]) -> list[dict]:
    """The theme's palette with each toggle's label in the language."""
    palette = deepcopy(config.theme["palette"])
    for scheme in palette:  # the light scheme's toggle switches to dark, and back
        scheme["toggle"]["name"] = labels["dark" if scheme["scheme"] == "default" else "light"]
    return palette


def _language_partial(lang: str, config: MkDocsConfig) -> str:
    """A Material language macro: its base table with our overrides."""
    return theme_text.language_macro(lang, tuple(config.theme.dirs))
