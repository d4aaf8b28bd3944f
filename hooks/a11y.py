"""Accessible names for Material's widgets that ship without one, in the reader's language."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from llmcourse import locales

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Name the search dialog (axe: aria-dialog-name)."""
    label = locales.text(config.plugins["i18n"].current_language, "a11y", "search_dialog")
    return output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{label}">', 1)
