"""The roadmap of a section overview: its chapters, their labels and the diagram's geometry.

The overview of a section (`<section>/index.md`) shows an SVG after its introduction
(overrides/partials/roadmap.html): one node per chapter of the section in the navigation, top
to bottom, labelled with the chapter's title in the reader's language and linking to it
(relative URL). It fits a 360px phone, takes its colours from Material's CSS variables (light
and dark), and carries a title and description as its text alternative. Nodes have
`data-reader-page` (the chapter's language-neutral path), which progress.js uses to show the
chapters already done. `diagram` works out what the partial draws.
"""

from __future__ import annotations

import re
import unicodedata

from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import locales, sanitize
from llmcourse.pages import page_key

PARTIAL = "partials/roadmap.html"


def section_chapters(page: Page) -> list[Page] | None:
    """The chapters of the section whose overview this page is; None for any other page."""
    section = page.parent
    key = page_key(page.file.src_uri)
    if not isinstance(section, Section) or not key.endswith("/index"):
        return None
    folder = key[: -len("index")]
    pages = [item for item in section.children if isinstance(item, Page)]
    if not all(page_key(p.file.src_uri).startswith(folder) for p in pages):
        return None
    return [p for p in pages if p is not page]


def diagram(page: Page, chapters: list[Page], lang: str) -> dict:
    """What the roadmap partial draws on the overview `page`: texts, nodes and their geometry.

    Texts are plain (the partial escapes them); links are relative to the page.
    """
    text = locales.load(lang)["reader"]["roadmap"]
    section = sanitize.plain(page.parent.title if page.parent else page.title)
    labels = [label(sanitize.plain(chapter.title)) for chapter in chapters]
    steps = text["separator"].join(f"{i}. {name}" for i, name in enumerate(labels, 1))

    nodes, y = [], TOP
    for i, (chapter, name) in enumerate(zip(chapters, labels, strict=True), 1):
        lines = wrap(name)
        height = max(MIN_HEIGHT, 2 * PAD + len(lines) * LINE)
        text_y = y + (height - len(lines) * LINE) / 2 + LINE * 0.72
        nodes.append(
            {
                "number": i,
                "label": name,
                "href": get_relative_url(chapter.url, page.url),
                "key": page_key(chapter.file.src_uri),
                "y": y,
                "height": height,
                "cy": y + height / 2,
                "lines": [{"text": line, "y": text_y + n * LINE} for n, line in enumerate(lines)],
            }
        )
        y += height + GAP
    return {
        "section": page_key(page.file.src_uri).rsplit("/", 1)[0],
        "title": text["title"].format(section=section),
        "desc": text["description"].format(count=len(chapters), steps=steps),
        "nodes": nodes,
        "height": y - GAP + TOP,
        "first": nodes[0]["cy"],
        "last": nodes[-1]["cy"],
        "width": WIDTH,
        "step_x": STEP_X,
        "step_r": STEP_R,
        "box_x": BOX_X,
        "box_width": WIDTH - BOX_X - 2,
        "text_x": BOX_X + PAD,
        "font": FONT,
    }


def label(title: str) -> str:
    """A chapter title without its number (the diagram numbers the steps)."""
    return NUMBER.sub("", title).strip() or title


def wrap(label: str) -> list[str]:
    """Break a label into lines that fit the node (Han breaks anywhere, Latin at spaces)."""
    lines, line, width = [], "", 0.0
    for token in TOKENS.findall(label):
        size = sum(_em(ch) for ch in token)
        if line and width + size > MAX_EM:
            lines.append(line.rstrip())
            line, width = "", 0.0
            token = token.lstrip()
            size = sum(_em(ch) for ch in token)
        while size > MAX_EM:  # one word longer than a line
            cut, used = 0, 0.0
            while used + _em(token[cut]) <= MAX_EM:
                used += _em(token[cut])
                cut += 1
            lines.append(token[:cut])
            token = token[cut:]
            size = sum(_em(ch) for ch in token)
        line += token
        width += size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [label]


def after_intro(content: str, block: str) -> str:
    """Insert a block after the page's H1 and the paragraph that follows it."""
    match = INTRO.search(content)
    if match is None:
        return block + content
    return content[: match.end()] + block + content[match.end() :]


def _em(ch: str) -> float:
    """A generous estimate of a character's width in em."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch == " ":
        return 0.3
    if ch in "mwMW@%":
        return 0.9
    if ch.isupper():
        return 0.7
    if ch in "iljft.,:;'|!()[]":
        return 0.35
    return 0.6


# ---------------------------------------------------------------------------------------------
# Data

NUMBER = re.compile(r"^\s*\d+\s*[.、．)]\s*")
TOKENS = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\S\s*|\s+")
INTRO = re.compile(r"</h1>\s*(?:<p\b[^>]*>.*?</p>)?", re.S)
# Geometry in SVG user units: 320 wide, drawn 1:1 on a 360px phone.
WIDTH = 320
TOP = 4
STEP_X, STEP_R = 18, 13
BOX_X = 40
PAD = 10
FONT, LINE = 15, 20
MIN_HEIGHT = 44
GAP = 14
MAX_EM = (WIDTH - 2 - BOX_X - 2 * PAD) / FONT
