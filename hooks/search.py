"""Site search: Pagefind indexes each language at the end of its build, merged once every
language is built (llmcourse.search).

The search box (overrides/partials/search.html, assets/reader/search.js) loads nothing, not
even the script that runs it (search-ui.js), until the reader opens it; Pagefind picks each
page's language index by its <html lang>.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.pages import Page

from llmcourse import language_builds, search

log = logging.getLogger("mkdocs.hooks.search")


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Leave out of search a page whose front matter says `search: {exclude: true}`."""
    return search.without_page(output) if search.excluded(page.meta) else output


@event_priority(0)  # before mkdocs-static-i18n (-100) builds (or waits for) the others
def _index_language(*, config: MkDocsConfig) -> None:
    """Index this build's own language while the other languages are still built (in their
    processes, language_builds); index_site then takes its bundle."""
    search.index_language(Path(config.site_dir), config.plugins["i18n"].current_language)


@event_priority(-110)  # after mkdocs-static-i18n (-100), which builds the other languages
def _index_site(*, config: MkDocsConfig) -> None:
    """Index the whole site, once: after the last language, not inside i18n's own builds."""
    if language_builds.nested(config):
        return
    seconds = search.index_site(Path(config.site_dir))
    log.info("Search index built in %.2f seconds", seconds)


on_post_build = CombinedEvent(_index_language, _index_site)
