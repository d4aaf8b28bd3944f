"""The translation status page: its table generated at build time in the reader's language."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import partials, sanitize, status
from llmcourse.pages import page_key

MARKER = "<!-- status-table -->"


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace the status marker with the summary and a placeholder for the table."""
    if MARKER not in markdown:
        return markdown
    page.status_table = True  # set by this hook only: front matter cannot ask for the table
    return markdown.replace(MARKER, status.summary(_lang(config), Path(config.docs_dir)))


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Fill the placeholder, after sanitizing, with the table: each row links to its page."""
    if not getattr(page, "status_table", False) or status.PLACEHOLDER not in (page.content or ""):
        return context
    links = {
        page_key(p.file.src_uri): (get_relative_url(p.url, page.url), sanitize.plain(p.title))
        for p in nav.pages
        if p.title
    }
    data = status.table_context(_lang(config), Path(config.docs_dir), links)
    html = partials.render(config.theme, status.PARTIAL, **data)
    page.content = page.content.replace(status.PLACEHOLDER, html, 1)
    return context


def _lang(config: MkDocsConfig) -> str:
    return config.plugins["i18n"].current_language
