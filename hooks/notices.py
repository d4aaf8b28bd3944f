"""Text that pages carry from locales/ (llmcourse.notices): the English fallback and outdated
notices, and the locale text a page's front matter asks for (`locale_text`: the home page's
how-to, the credits)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import chinese, language_builds, notices, pages, status

# (language, page key) of each translation (en) older than its Chinese source
OUTDATED: set[tuple[str, str]] = set()


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Find the pages whose translation (English) is outdated, once per language build.

    Git dates are read again at the start of each build (new commits may have come), not in
    mkdocs-static-i18n's own language builds inside it: those reuse the first one's status.
    """
    OUTDATED.clear()
    if not language_builds.nested(config):
        status.forget_dates()
    OUTDATED.update(
        (e.lang, e.key) for e in status.entries(Path(config.docs_dir)) if e.state == status.OUTDATED
    )


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Add the reader-language notices and the locale text the page's front matter asks for."""
    if page.file.src_uri.endswith(".ipynb"):  # notebooks: mkdocs-jupyter renders the cells
        return markdown
    lang = config.plugins["i18n"].current_language
    if lang not in chinese.SCRIPTS:  # a translation (en): its own, or the Chinese source
        if getattr(page.file, "locale", lang) != lang:
            markdown = notices.after_title(markdown, _notice(page, config, lang, "fallback"))
        elif (lang, pages.page_key(page.file.src_uri)) in OUTDATED:
            markdown = notices.after_title(markdown, _notice(page, config, lang, "outdated"))
    try:
        request = notices.locale_text(page.meta, lang)
    except ValueError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    if request is not None:
        markdown = notices.add_locale_text(markdown, *request)
    return markdown


def _notice(page: Page, config: MkDocsConfig, lang: str, kind: str) -> str:
    """The notice, linking to the page's Chinese source (the default language's, at the root)."""
    source_url = page.url.removeprefix(pages.prefix(lang))
    href = get_relative_url(source_url or "./", page.url)
    return notices.notice(config.theme, lang, kind, href)
