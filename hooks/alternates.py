"""Language links: the switcher relative to the page (it stays inside the current version
folder), the head's hreflang alternates absolute from `site_url` (search engines take no
relative ones)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from llmcourse import pages


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Point every language link at this page in that language.

    `path` (site-relative) feeds the switcher (overrides/partials/alternate.html), which the
    theme's `url` filter makes relative to the page, so it survives any folder the site is
    served under; `link` feeds the head's `<link rel="alternate" hreflang>`: absolute from
    `site_url`, which under mike already ends in the version folder (its plugin appends it).
    """
    # Runs after mkdocs-static-i18n (priority 50), which leaves site-absolute links on home
    # pages ("/zh-CN/", escaping a mike version folder) and misses generated variants.
    # Every page exists in every language at the same path under the language's folder.
    links = getattr(config.extra, "alternate", None)  # the theme reads it as an attribute
    if not links:
        return context
    own = pages.prefix(config.plugins["i18n"].current_language)
    path = page.url[len(own) :] if own and page.url.startswith(own) else page.url
    for item in links:
        item["path"] = pages.prefix(item["lang"]) + path or "./"
        item["link"] = absolute(config.site_url, item["path"])
    return context


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Give Material's alternate-link probe a sitemap in the page's folder."""
    # Material fetches sitemap.xml beside every <link rel=alternate> to map pages between
    # languages; our links already name the page, so an empty sitemap answers the probe
    # (the site root keeps the real one, written after the pages).
    sitemap = Path(page.file.abs_dest_path).parent / "sitemap.xml"
    if not sitemap.exists():
        sitemap.parent.mkdir(parents=True, exist_ok=True)
        sitemap.write_text(EMPTY_SITEMAP, encoding="utf-8")
    return output


def absolute(site_url: str | None, path: str) -> str:
    """`path` (site-relative, "./" for the root) under `site_url`; left as it is without one.

    mike's plugin sets `site_url` to ".../<version>" without a trailing slash: one is added,
    as MkDocs does for canonical URLs.
    """
    if not site_url:
        return path
    return site_url.rstrip("/") + "/" + ("" if path == "./" else path)


EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'
)
