"""Every page's HTML through the allow-list sanitizer; front matter and titles escaped.

Page content is untrusted (llmcourse.sanitize). What the sanitizer removes is logged as a
warning at the page's source file:line:col, so ``mkdocs build --strict`` (and ``course.py
check``, which runs the build) refuses the page, while a non-strict build ships it clean.
Hooks that add their own markup (roadmap, progress, notebooks) do it after this one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from llmcourse import guard, pages, sanitize

log = logging.getLogger("mkdocs.hooks.sanitize")
#: Warnings already given in this run: a source renders in three languages, reported once.
REPORTED: set[str] = set()

HINT = "remove it: pages may not carry scripts, frames, styles or active links"
KEYS_HINT = f"a page may set only {', '.join(pages.FRONT_MATTER_KEYS)}"


def on_startup(*, command: str, dirty: bool) -> None:
    """Start a run with nothing reported (mkdocs-static-i18n reloads config per language)."""
    REPORTED.clear()


@event_priority(100)  # first: templates and every other hook see escaped values
def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Front-matter values reach templates HTML-escaped; markup in them is reported; a key a
    page may not have (``template``, ``redirect``…) or a value of a shape the theme cannot take
    (``status`` with spaces, a missing ``icon``) is dropped and reported."""
    found = sanitize.markup_in_meta(page.meta)
    if found:
        _report(page, found, config)
    dropped = [key for key in page.meta if key not in pages.FRONT_MATTER_KEYS]
    if dropped:
        _report(page, sanitize.unknown_keys(dropped), config, "front matter", KEYS_HINT)
    # the guard reads front matter between --- lines; MkDocs also reads key: value lines atop
    # a page without them, so their shapes are asked here too
    for key, message, hint in guard.meta_problems(page.meta):
        dropped.append(key)
        found = [sanitize.key_finding(key, message.removeprefix("front matter "))]
        _report(page, found, config, "front matter", hint)
    page.meta = sanitize.escape_meta(
        {key: value for key, value in page.meta.items() if key not in dropped}
    )
    return markdown


@event_priority(100)  # first: the hooks' own markup is added after the page's is cleaned
def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Sanitize the rendered page; warn at file:line:col for each thing removed."""
    cleaned, findings = sanitize.clean(html)
    findings += sanitize.escape_toc(list(page.toc))
    if findings:
        _report(page, findings, config)
    # Titles (front matter or the page's H1) reach the navigation of every page escaped.
    if page.title is not None:
        page.title = sanitize.escape_text(page.title)
    return cleaned


@event_priority(100)  # before the template prints the navigation
def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Section and link titles (folder names when the nav is generated) reach it escaped."""
    sanitize.escape_titles(nav.items)
    return context


def _source(page: Page, config: MkDocsConfig) -> tuple[str, str]:
    """(the page's source as the report names it, its text)."""
    docs = Path(config.docs_dir)
    source = pages.source_file(docs, page.file.src_uri)
    root = Path(config.config_file_path or config.docs_dir).parent
    shown = guard.display(source, root) if source else page.file.src_uri
    text = source.read_text(encoding="utf-8", errors="replace") if source else ""
    return shown, text


def _report(
    page: Page,
    findings: list[sanitize.Finding],
    config: MkDocsConfig,
    kind: str = "unsafe HTML",
    hint: str = HINT,
) -> None:
    shown, text = _source(page, config)
    taken: set[int] = set()
    for finding in findings:
        line, col = sanitize.locate(text, finding, taken)
        message = f"{shown}:{line}:{col}: {kind}: {finding.message} (hint: {hint})"
        if message not in REPORTED:
            REPORTED.add(message)
            log.warning(message)
