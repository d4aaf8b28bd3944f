"""Language switcher and hreflang links that stay inside the current version folder."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Point every language link at this page's alternate, relative to the page."""
    # Runs after mkdocs-static-i18n (priority 50), which leaves site-absolute links on home
    # pages ("/zh-CN/"): under mike those escape the version folder.
    alternates = getattr(page.file, "alternates", None)
    # The theme reads config.extra.alternate as an attribute, which i18n re-creates per page.
    links = getattr(config.extra, "alternate", None)
    if not alternates or not links:
        return context
    for item in links:
        target = alternates.get(item["lang"])
        # A site-relative URL: the theme's `url` filter makes it relative to the page,
        # which survives any folder the site is served under.
        item["link"] = (target.url if target is not None else _home(item["lang"], config)) or "./"
    return context


def _home(lang: str, config: MkDocsConfig) -> str:
    default = config.plugins["i18n"].default_language
    return "" if lang == default else f"{lang}/"
