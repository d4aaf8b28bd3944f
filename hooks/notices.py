"""Text that pages carry from locales/: fallback and outdated notices, home how-to, credits."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import chinese, locales, pages, status

# (language, page key) of each translation (en) older than its Chinese source
OUTDATED: set[tuple[str, str]] = set()


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Find the pages whose translation (English) is outdated, once per language build.

    Git dates are read again at the start of each build (new commits may have come), not in
    mkdocs-static-i18n's own language builds inside it: those reuse the first one's status.
    """
    OUTDATED.clear()
    i18n = config.plugins.get("i18n")
    if i18n is None or not getattr(i18n, "building", False):
        status.forget_dates()
    OUTDATED.update(
        (e.lang, e.key) for e in status.entries(Path(config.docs_dir)) if e.state == status.OUTDATED
    )


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Add the reader-language notices and the locale blocks of the home and credits pages."""
    i18n = config.plugins["i18n"]
    lang = i18n.current_language
    if page.file.src_uri.endswith(".ipynb"):
        return markdown
    if lang not in chinese.SCRIPTS:  # a translation (en): its own, or the Chinese source
        if getattr(page.file, "locale", lang) != lang:
            markdown = _after_title(markdown, _notice(page, i18n, "fallback"))
        elif (lang, pages.page_key(page.file.src_uri)) in OUTDATED:
            markdown = _after_title(markdown, _notice(page, i18n, "outdated"))
    if page.file.src_uri.split(".")[0] == "index":  # every language's home page
        markdown = _after_intro(markdown, locales.text(lang, "home_howto"))
    elif page.file.src_uri.split(".")[0] == "credits":
        markdown = markdown.rstrip() + "\n\n" + locales.text(lang, "credits")
    return markdown


def _notice(page: Page, i18n, kind: str) -> str:
    """A warning admonition in the reader's language that links to the Chinese source page
    (the default language's, at the site root)."""
    lang = i18n.current_language
    source_url = page.url.removeprefix(pages.prefix(lang))
    href = get_relative_url(source_url or "./", page.url)
    text = locales.text(lang, "notices", kind)
    link = locales.text(lang, "notices", "source_link")
    return f'!!! warning ""\n\n    {text} <a href="{href}" hreflang="{pages.DEFAULT}">{link}</a>\n'


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
