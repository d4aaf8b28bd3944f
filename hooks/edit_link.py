"""'Edit this page' on every page, to the file a contributor changes (llmcourse.source_link).

Material's edit button appears at the top of a page with `page.edit_url`; the link and, for a
page converted from the other Chinese script or an English page still showing the Chinese
source, a note saying which file it is, go under the page (overrides/partials/source-link.html).
No repository configured (local builds): no link.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from llmcourse import locales, source_link


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Set the page's edit URL and the source-link partial's data."""
    lang = config.plugins["i18n"].current_language
    link = source_link.for_page(
        Path(config.docs_dir),
        Path(config.config_file_path).parent,
        page.file.src_uri,
        lang,
        source_link.repository(config.extra),
    )
    page.edit_url = link.url if link else None
    context["source_link"] = link
    context["source_link_texts"] = locales.text(lang, "edit")
    return context
