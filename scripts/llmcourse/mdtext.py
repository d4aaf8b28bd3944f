"""Line-level views of a Markdown page: front matter, code lines, headings, links, tables.

Shared by the importer, the parity/link checks and the status page, so that every tool agrees
on what a heading or a link is. Front matter and code blocks are those :mod:`llmcourse.mdspans`
finds (its :func:`~llmcourse.mdspans.front_matter` and :func:`~llmcourse.mdspans.blocks`):
one model of a page, seen here line by line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

import markdown.util

from llmcourse import mdspans

# The heading model is mdspans' (the one block scan records the headings Python-Markdown renders).
CONTAINER = mdspans.CONTAINER
HEADING = mdspans.HEADING
ATTR_LIST = mdspans.ATTR_LIST
SETEXT_RULE = mdspans.SETEXT_RULE
LIST_MARKER = mdspans.LIST_MARKER
HTML_BLOCK = mdspans.HTML_BLOCK
heading_title = mdspans.heading_title
# [text](target "title") and ![alt](target); target may hold one level of parentheses.
LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
HTML_SRC = re.compile(r"""<(a|img)\b[^<>]*?\b(href|src)\s*=\s*["']([^"']+)["']""", re.I)
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Heading:
    """An ATX heading outside code: its level, text (without attr list) and 1-based line."""

    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Link:
    """A link or image target with its 1-based line and column."""

    target: str
    line: int
    col: int
    image: bool


class FrontMatterError(ValueError):
    """Front matter that is not valid YAML (message names file, line and column)."""


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of an offset into ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def split_front_matter(text: str, source: str = "<text>") -> tuple[dict, str, int]:
    """Return (metadata, body, number of lines the front matter took).

    :func:`llmcourse.mdspans.front_matter`'s answer, with its problems raised as
    :class:`FrontMatterError` at ``source``'s line and column.
    """
    fm = mdspans.front_matter(text)
    if fm is None:
        return {}, text, 0
    if not fm.closed:
        raise FrontMatterError(f"{source}:1:1: front matter starts with --- but never ends")
    if fm.error_at is not None:
        line, col, problem = fm.error_at
        raise FrontMatterError(f"{source}:{line}:{col}: front matter: {problem}")
    meta = fm.data or {}
    if not isinstance(meta, dict):
        raise FrontMatterError(f"{source}:2:1: front matter must be a mapping")
    return meta, text[fm.end :], fm.lines


@dataclass(frozen=True)
class _CodeLines:
    """Line indexes of the code :func:`llmcourse.mdspans.blocks` finds in a list of lines."""

    fences: list[tuple[int, int]]  # (first, last) of each fenced block
    indented: frozenset[int]  # lines of indented code blocks
    unclosed: int | None  # the line opening a fence never closed


def _code_lines(lines: list[str]) -> _CodeLines:
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    found = mdspans.blocks(text)
    fences = []
    indented: set[int] = set()
    for span in found.spans:
        if span.kind == "fence":
            fences.append((line_of(span.start), line_of(max(span.start, span.end - 1))))
        elif span.kind == "indented-code":
            indented.add(line_of(span.start))
    unclosed = None if found.unclosed is None else line_of(found.unclosed)
    return _CodeLines(fences, frozenset(indented), unclosed)


def code_mask(lines: list[str]) -> list[bool]:
    """True for each line that is inside (or delimits) a fenced code block."""
    mask = [False] * len(lines)
    for first, last in _code_lines(lines).fences:
        mask[first : last + 1] = [True] * (last + 1 - first)
    return mask


def unclosed_fence(lines: list[str]) -> int | None:
    """1-based line of a code fence that is never closed, or None.

    A fence line that ends (or starts) an inline code span is none: ```` ```py`x ```` opens no
    fence, and the ```` ``` ```` line below it closes the code span it opened.
    """
    unclosed = _code_lines(lines).unclosed
    if unclosed is None:
        return None
    line = lines[unclosed]
    at = len(line) - len(line.lstrip(mdspans.FENCE_PREFIX))
    return None if blank_code(lines)[unclosed][at] == " " else unclosed + 1


def heading_attrs(raw: str) -> str:
    """The attr list (``{#id .class}``) at the end of a heading's text, without braces, or ''."""
    rest = raw.rstrip(" \t").rstrip("#").rstrip(" \t")
    m = ATTR_LIST.search(rest)
    return m.group(0).strip()[1:-1] if m else ""


def headings(text: str, first_line: int = 1, *, rendered: bool = False) -> list[Heading]:
    """ATX headings outside fenced code.

    With ``rendered``, the headings Python-Markdown renders, as the block scan
    (:func:`llmcourse.mdspans.blocks`) records them: also those inside admonitions, ``???``
    details, ``===`` tabs and list items, setext headings (the first line of a block underlined
    with ``===`` or ``---``), none inside raw HTML blocks.
    """
    lines = text.splitlines()
    if rendered:
        found = mdspans.blocks("\n".join(lines)).headings
        return [Heading(level, title, i + first_line) for i, level, title in found]
    mask = code_mask(lines)
    return [
        Heading(len(m.group(1)), heading_title(m.group(2)), i + first_line)
        for i, (line, in_code) in enumerate(zip(lines, mask, strict=True))
        if not in_code and (m := HEADING.match(line))
    ]


#: A line that starts a block of its own: no code span runs into it from the line before.
_BLOCK_START = re.compile(
    r" {0,3}(?:#|>|[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|!!!|\?\?\?|===|<!--|"
    rf"</?(?:{'|'.join(markdown.util.BLOCK_LEVEL_ELEMENTS)})(?![\w-]))",
    re.I,
)
_RAW_BLOCK = re.compile(
    rf" {{0,3}}<(?:!--|/?(?:{'|'.join(markdown.util.BLOCK_LEVEL_ELEMENTS)})(?![\w-]))", re.I
)
_NOT_NEWLINE = re.compile(r"[^\n]")


def blank_code(lines: list[str], mask: list[bool] | None = None) -> list[str]:
    """``lines`` with fenced code (``mask``, :func:`code_mask` when not given) and inline code
    spans blanked out, lengths kept.

    A code span may run over the lines of a paragraph (lines that start no block of their own,
    outside raw HTML and indented code blocks); :func:`llmcourse.mdspans.code_spans` pairs
    the backticks.
    """
    mask = code_mask(lines) if mask is None else mask
    out = [" " * len(line) if code else line for line, code in zip(lines, mask, strict=True)]
    indented = _code_lines(lines).indented
    i, n = 0, len(lines)
    while i < n:
        if mask[i] or not lines[i].strip() or "`" not in lines[i]:
            i += 1
            continue
        j = i + 1
        if (
            i not in indented
            and not _RAW_BLOCK.match(lines[i])
            and not HEADING.match(lines[i])
            and "|" not in lines[i]
        ):
            while (
                j < n
                and not mask[j]
                and j not in indented
                and lines[j].strip()
                and "|" not in lines[j]
                and not _BLOCK_START.match(lines[j])
                and not SETEXT_RULE.match(lines[j])
            ):
                j += 1
        para = "\n".join(lines[i:j])
        pieces, pos = [], 0
        for start, end in mdspans.code_spans(para):
            pieces += [para[pos:start], _NOT_NEWLINE.sub(" ", para[start:end])]
            pos = end
        out[i:j] = "".join([*pieces, para[pos:]]).split("\n")
        i = j
    return out


def links(text: str, first_line: int = 1, *, nested: bool = False) -> list[Link]:
    """Markdown and raw-HTML link/image targets outside code, in document order.

    With ``nested``, links and images inside a link's text are listed too (the image of a
    ``[![badge](img/x.svg)](https://…)`` badge), right after the link that holds them.
    """
    lines = text.splitlines()
    mask = code_mask(lines)
    clean_lines = blank_code(lines, mask)
    found: list[Link] = []
    for i, (line, in_code) in enumerate(zip(lines, mask, strict=True)):
        if in_code or ("[" not in line and "<" not in line):
            continue
        clean = clean_lines[i]
        hits = _line_links(clean, 0, 2 if nested else 0)
        hits += [
            (m.start(), m.group(3), m.group(1).lower() == "img") for m in HTML_SRC.finditer(clean)
        ]
        for col, target, image in sorted(hits):
            found.append(Link(target, i + first_line, col + 1, image))
    return found


def _line_links(text: str, offset: int, depth: int) -> list[tuple[int, str, bool]]:
    """(offset, target, image) of the Markdown links in ``text``, down ``depth`` nestings."""
    hits: list[tuple[int, str, bool]] = []
    for m in LINK.finditer(text):
        hits.append((offset + m.start(), m.group(3), m.group(1) == "!"))
        if depth and "](" in m.group(2):
            hits += _line_links(m.group(2), offset + m.start(2), depth - 1)
    return hits


@dataclass(frozen=True)
class Table:
    """A pipe table outside code: 1-based line of its header row and its number of body rows."""

    line: int
    rows: int


def tables(text: str, first_line: int = 1) -> list[Table]:
    """The pipe tables outside code (a header row followed by a rule row), in order."""
    lines = text.splitlines()
    mask = code_mask(lines)
    found: list[Table] = []
    i = 0
    while i < len(lines) - 1:
        if (
            not mask[i]
            and not mask[i + 1]
            and TABLE_ROW.match(lines[i])
            and not TABLE_RULE.match(lines[i])
            and TABLE_RULE.match(lines[i + 1])
        ):
            j = i + 2
            while j < len(lines) and not mask[j] and TABLE_ROW.match(lines[j]):
                j += 1
            found.append(Table(i + first_line, j - i - 2))
            i = j
        else:
            i += 1
    return found


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: 1-based line of its opening fence and its lines, fences included."""

    line: int
    text: str


def fenced_blocks(text: str, first_line: int = 1) -> list[CodeBlock]:
    """The fenced code blocks of a text with their lines; blocks that touch stay apart."""
    lines = text.splitlines()
    return [
        CodeBlock(first + first_line, "\n".join(lines[first : last + 1]))
        for first, last in _code_lines(lines).fences
    ]


def iter_sections(text: str) -> Iterator[tuple[Heading | None, list[str]]]:
    """Split a document at headings: (heading or None for the preamble, body lines)."""
    lines = text.splitlines()
    mask = code_mask(lines)
    current: Heading | None = None
    body: list[str] = []
    for i, (line, in_code) in enumerate(zip(lines, mask, strict=True)):
        m = None if in_code else HEADING.match(line)
        if m:
            yield current, body
            current = Heading(len(m.group(1)), heading_title(m.group(2)), i + 1)
            body = []
        else:
            body.append(line)
    yield current, body
