"""A roadmap diagram on each section overview, drawn at build time from the section's chapters.

The overview of a section (`<section>/index.md`) gets an inline SVG after its introduction:
one node per chapter of the section in the navigation, top to bottom, labelled with the
chapter's title in the reader's language and linking to it (relative URL). It fits a 360px
phone, takes its colours from Material's CSS variables (light and dark), and carries a
title and description as its text alternative. Nodes have `data-reader-page` (the chapter's
language-neutral path), which progress.js uses to show the chapters already done.
"""

from __future__ import annotations

import html
import re
import unicodedata

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from llmcourse import locales, sanitize
from llmcourse.pages import page_key


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Draw the roadmap of the section into its overview page, after the introduction."""
    chapters = section_chapters(page)
    if chapters and page.content:
        lang = config.plugins["i18n"].current_language
        svg = roadmap_svg(page, chapters, lang)
        page.content = _after_intro(page.content, svg)
    return context


# ---------------------------------------------------------------------------------------------
# Public helpers (also used by tests/test_reader.py)


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


def roadmap_svg(page: Page, chapters: list[Page], lang: str) -> str:
    """The section's roadmap as an inline SVG figure, links relative to the page."""
    text = locales.load(lang)["reader"]["roadmap"]
    section = sanitize.plain(page.parent.title if page.parent else page.title)
    labels = [_label(sanitize.plain(chapter.title)) for chapter in chapters]
    title = text["title"].format(section=section)
    steps = text["separator"].join(f"{i}. {label}" for i, label in enumerate(labels, 1))
    desc = text["description"].format(count=len(chapters), steps=steps)

    nodes, centres, y = [], [], TOP
    for i, (chapter, label) in enumerate(zip(chapters, labels, strict=True), 1):
        lines = _wrap(label)
        height = max(MIN_HEIGHT, 2 * PAD + len(lines) * LINE)
        nodes.append(_node(i, page, chapter, label, lines, y, height))
        centres.append(y + height / 2)
        y += height + GAP
    first, last = centres[0], centres[-1]
    height = y - GAP + TOP
    key = page_key(page.file.src_uri).rsplit("/", 1)[0]
    return (
        f'<figure class="reader-roadmap" data-reader-section="{_attr(key)}" data-search-exclude>'
        f'<svg class="reader-roadmap__svg" viewBox="0 0 {WIDTH} {height:g}" role="group" '
        f'aria-labelledby="reader-roadmap-title" aria-describedby="reader-roadmap-desc">'
        f'<title id="reader-roadmap-title">{_text(title)}</title>'
        f'<desc id="reader-roadmap-desc">{_text(desc)}</desc>'
        f'<line class="reader-roadmap__line" x1="{STEP_X}" y1="{first:g}" x2="{STEP_X}" '
        f'y2="{last:g}" stroke="currentColor"/>' + "".join(nodes) + "</svg></figure>"
    )


# ---------------------------------------------------------------------------------------------
# Drawing


def _node(
    i: int, page: Page, chapter: Page, label: str, lines: list[str], y: float, height: float
) -> str:
    href = get_relative_url(chapter.url, page.url)
    cy = y + height / 2
    text_y = y + (height - len(lines) * LINE) / 2 + LINE * 0.72
    spans = "".join(
        f'<tspan x="{BOX_X + PAD}" y="{text_y + n * LINE:g}">{_text(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return (
        f'<a class="reader-roadmap__node" href="{_attr(href)}" '
        f'data-reader-page="{_attr(page_key(chapter.file.src_uri))}" '
        f'aria-label="{_attr(f"{i}. {label}")}">'
        f'<rect class="reader-roadmap__box" x="{BOX_X}" y="{y:g}" width="{WIDTH - BOX_X - 2}" '
        f'height="{height:g}" rx="8" fill="none" stroke="currentColor"/>'
        f'<circle class="reader-roadmap__step" cx="{STEP_X}" cy="{cy:g}" r="{STEP_R}" '
        f'fill="none" stroke="currentColor"/>'
        f'<text class="reader-roadmap__num" x="{STEP_X}" y="{cy:g}" text-anchor="middle" '
        f'dominant-baseline="central" aria-hidden="true">{i}</text>'
        f'<text class="reader-roadmap__check" x="{STEP_X}" y="{cy:g}" text-anchor="middle" '
        f'dominant-baseline="central" aria-hidden="true">✓</text>'
        f'<text class="reader-roadmap__label" font-size="{FONT}">{spans}</text>'
        "</a>"
    )


def _label(title: str) -> str:
    """A chapter title without its number (the diagram numbers the steps)."""
    return NUMBER.sub("", title).strip() or title


def _wrap(label: str) -> list[str]:
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


def _after_intro(content: str, block: str) -> str:
    """Insert a block after the page's H1 and the paragraph that follows it."""
    match = INTRO.search(content)
    if match is None:
        return block + content
    return content[: match.end()] + block + content[match.end() :]


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


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
