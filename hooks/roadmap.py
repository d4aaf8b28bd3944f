"""A roadmap diagram on each section overview, drawn at build time from the section's chapters
(llmcourse.roadmap: chapters, labels, geometry; overrides/partials/roadmap.html: the SVG)."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from llmcourse import partials, roadmap


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Draw the roadmap of the section into its overview page, after the introduction."""
    chapters = roadmap.section_chapters(page)
    if chapters and page.content:
        data = roadmap.diagram(page, chapters, config.plugins["i18n"].current_language)
        svg = partials.render(config.theme, roadmap.PARTIAL, **data)
        page.content = roadmap.after_intro(page.content, svg)
    return context
