"""Text that pages carry from locales/: fallback notices, the home how-to, the credits."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from llmcourse import locales


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Add the reader-language notice to fallback pages and the locale blocks to home/credits."""
    lang = config.plugins["i18n"].current_language
    if page.file.src_uri.endswith(".ipynb"):
        return markdown
    if getattr(page.file, "locale", lang) != lang and lang == "en":
        markdown = _after_title(markdown, _fallback_notice(page, lang))
    if page.is_homepage:
        markdown = _after_intro(markdown, locales.text(lang, "home_howto"))
    elif page.file.src_uri.split(".")[0] == "credits":
        markdown = markdown.rstrip() + "\n\n" + locales.text(lang, "credits")
    return markdown


def _fallback_notice(page: Page, lang: str) -> str:
    return f'!!! warning ""\n\n    {locales.text(lang, "notices", "fallback")}\n'


def _after_title(markdown: str, block: str) -> str:
    """Insert a block after the page's H1 (or at the top when it has none)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: i + 1], "", block, *lines[i + 1 :]])
    return block + "\n" + markdown


def _after_intro(markdown: str, block: str) -> str:
    """Insert a block before the page's first H2 (or at the end)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("## "):
            return "\n".join([*lines[:i], block, "", *lines[i:]])
    return markdown.rstrip() + "\n\n" + block
