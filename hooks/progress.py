"""Reading progress: stable ids written into the pages, and the controls progress.js brings to life.

A chapter is any page of a navigation section whose pages all live in one folder (the three
course parts, the notes, the notebooks), except the section's own index page. Its id is its
language-neutral path (scientist/evaluation), the same in every language and version. The
links that start a list item of a chapter (its references and further reading) are resources,
with an id made from the link target. progress.js keeps what is done in
localStorage under those ids; these hooks only write them and the (hidden until scripted)
controls: a toggle under each chapter title, and on the home page and each section overview
a panel with the sections' progress and export / import / clear buttons.
"""

from __future__ import annotations

import json
import re
from html import escape, unescape
from urllib.parse import urlsplit, urlunsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import locales, sanitize
from llmcourse.pages import page_key

# language -> chapter id -> resource ids, gathered while the pages are read
RESOURCES: dict[str, dict[str, list[str]]] = {}


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Start the resources of the language being built afresh."""
    RESOURCES[_lang(config)] = {}


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Give each resource link of a chapter its resource id (data-reader-resource)."""
    section = chapter_section(page)
    if section is None:
        return html
    found: list[str] = []

    def mark(link: re.Match[str]) -> str:
        rid = resource_id(unescape(link.group(2)))
        found.append(rid)
        return f'{link.group(1)}<a data-reader-resource="{escape(rid)}" href="{link.group(2)}"'

    html = RESOURCE_LINK.sub(mark, html)
    RESOURCES[_lang(config)][page_key(page.file.src_uri)] = list(dict.fromkeys(found))
    return html


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Add the chapter toggle to chapters, the progress panel to the home page and overviews."""
    if not page.content:
        return context
    lang = _lang(config)
    text = locales.load(lang)["reader"]["progress"]
    key = page_key(page.file.src_uri)
    section = chapter_section(page)
    if section is not None:
        toggle = (
            f'<div class="reader-chapter" data-reader-page="{_attr(key)}" '
            f'data-reader-section="{_attr(section)}" data-search-exclude>'
            f'<button type="button" class="md-button reader-chapter__toggle" '
            f'aria-pressed="false" hidden>{_text(text["mark_done"])}</button></div>'
        )
        page.content = _after_title(page.content, toggle)
    sections = _sections(nav)
    home = key == "index"
    if home:
        shown = list(sections)
    elif key.endswith("/index") and key[: -len("/index")] in sections:
        shown = [key[: -len("/index")]]
    else:
        shown = []
    if shown:
        panel = _panel(page, lang, {name: sections[name] for name in shown}, text)
        page.content = _before_first_h2(page.content, panel) if home else page.content + panel
    if section is not None or shown:
        strings = {**text, "done": locales.load(lang)["reader"]["roadmap"]["done"]}
        page.content += _json("reader-strings", strings)
    return context


# ---------------------------------------------------------------------------------------------
# Public helpers (also used by tests/test_reader.py)


def resource_id(url: str) -> str:
    """A resource's id: its URL without scheme, fragment, `www.` or trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, "")).lstrip("/")


def chapter_section(page: Page) -> str | None:
    """The folder of the section a chapter belongs to; None for pages that are no chapter."""
    section = page.parent
    if not isinstance(section, Section):
        return None
    folder = _folder(section)
    key = page_key(page.file.src_uri)
    if folder is None or key == f"{folder}/index":
        return None
    return folder


# ---------------------------------------------------------------------------------------------
# Panel


def _sections(nav: Navigation) -> dict[str, tuple[Section, list[Page]]]:
    """Sections with chapters, by folder, in navigation order."""
    found = {}
    for item in nav.items:
        if isinstance(item, Section) and (folder := _folder(item)) is not None:
            found[folder] = (item, [p for p in _pages(item) if chapter_section(p) == folder])
    return found


def _panel(
    page: Page, lang: str, sections: dict[str, tuple[Section, list[Page]]], text: dict[str, str]
) -> str:
    data = {}
    rows = []
    for name, (section, chapters) in sections.items():
        ids = [page_key(c.file.src_uri) for c in chapters]
        resources = list(
            dict.fromkeys(r for chapter in ids for r in RESOURCES.get(lang, {}).get(chapter, []))
        )
        data[name] = {"chapters": ids, "resources": resources}
        first = next(
            (p for p in _pages(section) if page_key(p.file.src_uri).endswith("/index")),
            chapters[0] if chapters else None,
        )
        title = _text(sanitize.plain(section.title))
        link = (
            f'<a href="{_attr(get_relative_url(first.url, page.url))}">{title}</a>'
            if first is not None and first is not page
            else title
        )
        counts = text["chapters"].format(done=0, total=len(ids))
        refs = text["resources"].format(done=0, total=len(resources)) if resources else ""
        rows.append(
            f'<li class="reader-section-progress" data-reader-section="{_attr(name)}">'
            f'<span class="reader-section-progress__title">{link}</span>'
            f'<progress class="reader-section-progress__bar" max="{len(ids)}" value="0" '
            f'aria-label="{_attr(counts)}"></progress>'
            f'<span class="reader-section-progress__chapters">{_text(counts)}</span>'
            + (
                f'<span class="reader-section-progress__resources">{_text(refs)}</span>'
                if resources
                else ""
            )
            + "</li>"
        )
    return (
        '<section class="reader-panel" id="reader-progress-panel" '
        'aria-labelledby="reader-progress-heading" data-search-exclude hidden>'
        f'<h2 id="reader-progress-heading">{_text(text["heading"])}</h2>'
        f'<ul class="reader-panel__sections">{"".join(rows)}</ul>'
        '<p class="reader-panel__actions">'
        f'<button type="button" class="md-button" id="reader-export">{_text(text["export"])}'
        "</button>"
        '<input type="file" id="reader-import" class="reader-panel__file" '
        'accept=".json,application/json">'
        f'<label class="md-button" for="reader-import">{_text(text["import"])}</label>'
        f'<button type="button" class="md-button" id="reader-reset">{_text(text["reset"])}'
        "</button></p>"
        '<p class="reader-panel__status" id="reader-progress-status" role="status"></p>'
        f'<p class="reader-panel__note">{_text(text["note"])}</p>'
        + _json("reader-progress-data", {"sections": data})
        + "</section>"
    )


def _folder(section: Section) -> str | None:
    """The one folder all pages of a section live in, or None."""
    folders = {page_key(p.file.src_uri).rpartition("/")[0] for p in _pages(section)}
    return folders.pop() if len(folders) == 1 and "" not in folders else None


def _pages(section: Section) -> list[Page]:
    return [item for item in section.children if isinstance(item, Page)]


def _after_title(content: str, block: str) -> str:
    match = H1_END.search(content)
    return content[: match.end()] + block + content[match.end() :] if match else block + content


def _before_first_h2(content: str, block: str) -> str:
    match = H2_START.search(content)
    return content[: match.start()] + block + content[match.start() :] if match else content + block


def _json(element_id: str, data: object) -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{body}</script>'


def _lang(config: MkDocsConfig) -> str:
    return config.plugins["i18n"].current_language


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)


# ---------------------------------------------------------------------------------------------
# Data

# A resource: an external link that starts a list item (a reference list entry), also in the
# "* [title](url)" lines of a list written without the blank line Markdown needs before it.
RESOURCE_LINK = re.compile(r'(<li>\s*(?:<p>\s*)?|\n[ \t]*[*+-][ \t]+)<a href="(https?://[^"]+)"')
H1_END = re.compile(r"</h1>")
H2_START = re.compile(r"<h2[\s>]")
