"""Line-level Markdown structure: front matter, fences, headings and links.

Shared by the importer, the parity/link checks and the status page, so that every
tool agrees on what a heading or a link is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
ATTR_LIST = re.compile(r"\s*\{[^{}]*\}\s*$")
# [text](target "title") and ![alt](target); target may hold one level of parentheses.
LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
HTML_SRC = re.compile(r"""<(a|img)\b[^>]*?\b(href|src)\s*=\s*["']([^"']+)["']""", re.I)
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


def split_front_matter(text: str, source: str = "<text>") -> tuple[dict, str, int]:
    """Return (metadata, body, number of lines the front matter took)."""
    if not text.startswith("---"):
        return {}, text, 0
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip("\r\n") != "---":
        return {}, text, 0
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            raw = "".join(lines[1:i])
            try:
                meta = yaml.safe_load(raw) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
                problem = getattr(exc, "problem", None) or str(exc)
                raise FrontMatterError(f"{source}:{line}:{col}: front matter: {problem}") from exc
            if not isinstance(meta, dict):
                raise FrontMatterError(f"{source}:2:1: front matter must be a mapping")
            return meta, "".join(lines[i + 1 :]), i + 1
    raise FrontMatterError(f"{source}:1:1: front matter starts with --- but never ends")


def code_mask(lines: list[str]) -> list[bool]:
    """True for each line that is inside (or delimits) a fenced code block."""
    mask: list[bool] = []
    fence: str | None = None
    for line in lines:
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                mask.append(True)
                continue
            mask.append(False)
        else:
            mask.append(True)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                if not line.strip()[len(m.group(1)) :].strip():
                    fence = None
    return mask


def unclosed_fence(lines: list[str]) -> int | None:
    """1-based line of a code fence that is never closed, or None."""
    fence: str | None = None
    start = 0
    for i, line in enumerate(lines, 1):
        m = FENCE.match(line)
        if fence is None and m:
            fence, start = m.group(1), i
        elif fence is not None and m and m.group(1)[0] == fence[0]:
            if len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)) :].strip():
                fence = None
    return start if fence is not None else None


def headings(text: str, first_line: int = 1) -> list[Heading]:
    """ATX headings outside fenced code."""
    lines = text.splitlines()
    mask = code_mask(lines)
    found = []
    for i, (line, in_code) in enumerate(zip(lines, mask, strict=True)):
        if in_code:
            continue
        m = HEADING.match(line)
        if m:
            title = ATTR_LIST.sub("", m.group(2)).strip()
            found.append(Heading(len(m.group(1)), title, i + first_line))
    return found


def strip_inline_code(line: str) -> str:
    """Blank out inline code spans so their content is not mistaken for links."""
    return re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line)


def links(text: str, first_line: int = 1) -> list[Link]:
    """Markdown and raw-HTML link/image targets outside code, in document order."""
    lines = text.splitlines()
    mask = code_mask(lines)
    found: list[Link] = []
    for i, (line, in_code) in enumerate(zip(lines, mask, strict=True)):
        if in_code:
            continue
        clean = strip_inline_code(line)
        hits = [(m.start(), m.group(3), m.group(1) == "!") for m in LINK.finditer(clean)]
        hits += [
            (m.start(), m.group(3), m.group(1).lower() == "img") for m in HTML_SRC.finditer(clean)
        ]
        for col, target, image in sorted(hits):
            found.append(Link(target, i + first_line, col + 1, image))
    return found


def table_rows(text: str) -> int:
    """Number of table body rows (not header or rule) outside code."""
    lines = text.splitlines()
    mask = code_mask(lines)
    count = 0
    for i, line in enumerate(lines):
        if mask[i] or not TABLE_ROW.match(line) or TABLE_RULE.match(line):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if TABLE_RULE.match(nxt):  # header row
            continue
        count += 1
    return count


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a text, each as one string."""
    lines = text.splitlines()
    mask = code_mask(lines)
    blocks: list[str] = []
    current: list[str] = []
    for line, in_code in zip(lines, mask, strict=True):
        if in_code:
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


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
            current = Heading(len(m.group(1)), ATTR_LIST.sub("", m.group(2)).strip(), i + 1)
            body = []
        else:
            body.append(line)
    yield current, body
