"""Reading progress: the ids of chapters and resources, and what the progress controls show.

A chapter is any page of a navigation section whose pages all live in one folder (the three
course parts, the notes, the notebooks), except the section's own index page. Its id is its
language-neutral path (scientist/evaluation), the same in every language and version. The
links that start a list item of a chapter (its references and further reading) are resources,
with an id made from the link target. progress.js keeps what is done in localStorage under
those ids; the build only writes them and the (hidden until scripted) controls: a toggle under
each chapter title (overrides/partials/progress-toggle.html), and on the home page and each
section overview a panel with the sections' progress and export / import / clear buttons
(overrides/partials/progress-panel.html).
"""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import urlsplit, urlunsplit

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import locales, sanitize
from llmcourse.pages import page_key

TOGGLE = "partials/progress-toggle.html"
PANEL = "partials/progress-panel.html"
#: Data for progress.js in the page (its texts, the panel's sections), as JSON
JSON_SCRIPT = "partials/json-script.html"
HOME = "index"

#: A section with chapters: the section, and its chapters in navigation order
Chapters = tuple[Section, list[Page]]


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


def mark_resources(html: str) -> tuple[str, list[str]]:
    """The chapter's HTML with an id on each resource link (data-reader-resource), and the ids."""
    found: list[str] = []

    def mark(link: re.Match[str]) -> str:
        rid = resource_id(unescape(link.group(2)))
        found.append(rid)
        return f'{link.group(1)}<a data-reader-resource="{escape(rid)}" href="{link.group(2)}"'

    return RESOURCE_LINK.sub(mark, html), list(dict.fromkeys(found))


def sections(nav: Navigation) -> dict[str, Chapters]:
    """Sections with chapters, by folder, in navigation order."""
    found = {}
    for item in nav.items:
        if isinstance(item, Section) and (folder := _folder(item)) is not None:
            found[folder] = (item, [p for p in _pages(item) if chapter_section(p) == folder])
    return found


def panel_sections(key: str, sections: dict[str, Chapters]) -> list[str]:
    """The sections whose progress the page shows: all on the home page, its own on an
    overview, none elsewhere."""
    if key == HOME:
        return list(sections)
    folder = key.removesuffix("/index")
    return [folder] if key.endswith("/index") and folder in sections else []


def texts(lang: str) -> dict[str, str]:
    """The progress texts of the language (locales/<lang>.yml reader.progress)."""
    return locales.load(lang)["reader"]["progress"]


def strings(lang: str) -> dict[str, str]:
    """The texts progress.js shows (the roadmap's "done" among them)."""
    return {**texts(lang), "done": locales.load(lang)["reader"]["roadmap"]["done"]}


def panel(
    page: Page, lang: str, shown: dict[str, Chapters], resources: dict[str, list[str]]
) -> dict:
    """What the progress panel partial shows on `page`: a row per section, the data for
    progress.js. `resources`: chapter id → its resource ids, as the language's pages gave."""
    text = texts(lang)
    rows, data = [], {}
    for name, (section, chapters) in shown.items():
        ids = [page_key(c.file.src_uri) for c in chapters]
        refs = list(dict.fromkeys(r for chapter in ids for r in resources.get(chapter, [])))
        data[name] = {"chapters": ids, "resources": refs}
        first = next(
            (p for p in _pages(section) if page_key(p.file.src_uri).endswith("/index")),
            chapters[0] if chapters else None,
        )
        linked = first is not None and first is not page
        rows.append(
            {
                "name": name,
                "title": sanitize.plain(section.title),
                "href": get_relative_url(first.url, page.url) if linked else None,
                "chapters": len(ids),
                "counts": text["chapters"].format(done=0, total=len(ids)),
                "resources": text["resources"].format(done=0, total=len(refs)) if refs else None,
            }
        )
    return {"text": text, "rows": rows, "data": {"sections": data}}


def after_title(content: str, block: str) -> str:
    """Insert a block after the page's H1 (or at the top when it has none)."""
    match = H1_END.search(content)
    return content[: match.end()] + block + content[match.end() :] if match else block + content


def before_first_h2(content: str, block: str) -> str:
    """Insert a block before the page's first H2 (or at the end when it has none)."""
    match = H2_START.search(content)
    return content[: match.start()] + block + content[match.start() :] if match else content + block


def _folder(section: Section) -> str | None:
    """The one folder all pages of a section live in, or None."""
    folders = {page_key(p.file.src_uri).rpartition("/")[0] for p in _pages(section)}
    return folders.pop() if len(folders) == 1 and "" not in folders else None


def _pages(section: Section) -> list[Page]:
    return [item for item in section.children if isinstance(item, Page)]


# ---------------------------------------------------------------------------------------------
# Data

# A resource: an external link that starts a list item (a reference list entry), also in the
# "* [title](url)" lines of a list written without the blank line Markdown needs before it.
RESOURCE_LINK = re.compile(r'(<li>\s*(?:<p>\s*)?|\n[ \t]*[*+-][ \t]+)<a href="(https?://[^"]+)"')
H1_END = re.compile(r"</h1>")
H2_START = re.compile(r"<h2[\s>]")
