"""Reading progress: stable ids written into the pages, and the controls progress.js brings to
life (llmcourse.progress: chapters, resources, what the controls show;
overrides/partials/progress-*.html: the markup)."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from llmcourse import partials, progress
from llmcourse.pages import page_key

#: language -> chapter id -> resource ids, gathered while the language's pages are read
RESOURCES: dict[str, dict[str, list[str]]] = {}


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Start the resources of the language being built afresh."""
    RESOURCES[_lang(config)] = {}


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Give each resource link of a chapter its resource id (data-reader-resource)."""
    if progress.chapter_section(page) is None:
        return html
    html, found = progress.mark_resources(html)
    RESOURCES[_lang(config)][page_key(page.file.src_uri)] = found
    return html


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Add the chapter toggle to chapters, the progress panel to the home page and overviews."""
    if not page.content:
        return context
    lang = _lang(config)
    key = page_key(page.file.src_uri)
    section = progress.chapter_section(page)
    if section is not None:
        label = progress.texts(lang)["mark_done"]
        toggle = partials.render(
            config.theme, progress.TOGGLE, page=key, section=section, label=label
        )
        page.content = progress.after_title(page.content, toggle)
    sections = progress.sections(nav)
    shown = progress.panel_sections(key, sections)
    if shown:
        data = progress.panel(page, lang, {s: sections[s] for s in shown}, RESOURCES.get(lang, {}))
        panel = partials.render(config.theme, progress.PANEL, **data)
        home = key == progress.HOME
        page.content = (
            progress.before_first_h2(page.content, panel) if home else page.content + panel
        )
    if section is not None or shown:
        strings = progress.strings(lang)
        page.content += partials.render(
            config.theme, progress.JSON_SCRIPT, id="reader-strings", data=strings
        )
    return context


def _lang(config: MkDocsConfig) -> str:
    return config.plugins["i18n"].current_language
