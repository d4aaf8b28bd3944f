"""The translation status page: its table generated at build time in the reader's language."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from llmcourse import status

MARKER = "<!-- status-table -->"


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace the status marker with the table of every page in every language."""
    if MARKER not in markdown:
        return markdown
    lang = config.plugins["i18n"].current_language
    return markdown.replace(MARKER, status.table(lang, Path(config.docs_dir)))
