"""Emoji that do not show as their author meant: split ZWJ sequences, stray variation selectors.

* **Split sequence** - a person emoji directly followed by the rest of a known emoji ZWJ
  sequence with the ZERO WIDTH JOINER (U+200D) missing: 🧑 then 🔬 shows as two pictures where
  the author meant 🧑‍🔬 (scientist).  The sequences are Unicode's RGI list; those that start
  with a person (the first character of a Family, Role, Gendered or Hair sequence) are checked.
* **Stray variation selector** - U+FE0E or U+FE0F after a character that has no
  text/emoji presentation sequence: it changes nothing or shows as a box.

The data are Unicode's own files in ``unicode/`` (README there: source, version, licence).
Fenced code is not checked.  Both scans are linear: each start position walks a trie at most
as deep as the longest sequence.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from llmcourse import mdtext

DATA = Path(__file__).parent / "unicode"
ZWJ = "\u200d"
SELECTORS = {"\ufe0e": "U+FE0E (text presentation)", "\ufe0f": "U+FE0F (emoji presentation)"}
#: Groups of emoji-zwj-sequences.txt whose sequences start with a person.
PEOPLE_GROUPS = ("Family", "Role", "Gendered", "Hair")
#: Joiners and selectors skipped between two characters of a sequence, at most.
MAX_SKIP = 2


@dataclass(frozen=True)
class Finding:
    """One problem at a character offset of the text, with its fix."""

    offset: int
    message: str
    hint: str


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    sequence: tuple[str, str] | None = None  # (the sequence, its CLDR short name)


def _data_lines(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


@functools.cache
def _trie() -> _Node:
    """Person-led RGI ZWJ sequences, keyed by their characters without joiners and selectors."""
    group = ""
    rows: list[tuple[str, str, str]] = []
    for line in _data_lines("emoji-zwj-sequences.txt"):
        if line.startswith("# RGI_Emoji_ZWJ_Sequence:"):
            group = line.split(":", 1)[1].strip()
        if not line.strip() or line.startswith("#"):
            continue
        points, _, rest = line.partition(";")
        name = rest.partition(";")[2].partition("#")[0].strip()
        rows.append((group, "".join(chr(int(p, 16)) for p in points.split()), name))
    people = {text[0] for group, text, _ in rows if group in PEOPLE_GROUPS}
    root = _Node()
    for _, text, name in rows:
        if text[0] not in people:
            continue
        node = root
        for ch in _bare(text):
            node = node.children.setdefault(ch, _Node())
        node.sequence = (text, name)
    return root


@functools.cache
def variation_bases() -> frozenset[str]:
    """The characters that have a variation sequence (emoji-variation-sequences.txt)."""
    return frozenset(
        chr(int(line.split()[0], 16))
        for line in _data_lines("emoji-variation-sequences.txt")
        if line.strip() and not line.startswith("#")
    )


def _bare(text: str) -> str:
    return "".join(ch for ch in text if ch != ZWJ and ch not in SELECTORS)


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks."""
    ranges, offset = [], 0
    lines = text.splitlines(keepends=True)
    for line, in_code in zip(
        lines, mdtext.code_mask([x.rstrip("\r\n") for x in lines]), strict=True
    ):
        if in_code:
            ranges.append((offset, offset + len(line)))
        offset += len(line)
    return ranges


def _longest_sequence(text: str, start: int) -> tuple[int, str, str] | None:
    """The longest sequence whose characters start at ``start``: (end, sequence, name)."""
    node, i, best = _trie(), start, None
    while True:
        child = node.children.get(text[i]) if i < len(text) else None
        if child is None:
            return best
        node, i = child, i + 1
        if node.sequence is not None:
            best = (i, *node.sequence)
        skipped = 0
        while i < len(text) and skipped < MAX_SKIP and (text[i] == ZWJ or text[i] in SELECTORS):
            if node.sequence is not None and text[i] in SELECTORS:
                best = (i + 1, *node.sequence)  # a selector after the last character belongs
            i += 1
            skipped += 1


@functools.cache
def _candidates() -> re.Pattern[str]:
    chars = sorted({*_trie().children, *SELECTORS})
    return re.compile("[" + "".join(re.escape(ch) for ch in chars) + "]")


def _display(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def findings(text: str) -> Iterator[Finding]:
    """Every split ZWJ sequence and stray variation selector of ``text``, in order."""
    code = _code_ranges(text)
    first = _trie().children
    bases = variation_bases()
    candidate = _candidates()
    i, r = 0, 0
    while True:
        m = candidate.search(text, i)  # only these characters can start a finding
        if m is None:
            return
        i = m.start()
        while r < len(code) and code[r][1] <= i:
            r += 1
        if r < len(code) and code[r][0] <= i:
            i = code[r][1]
            continue
        ch = text[i]
        if ch in first:
            match = _longest_sequence(text, i)
            if match is not None:
                end, sequence, name = match
                written = text[i:end]
                if written.count(ZWJ) < sequence.count(ZWJ):
                    shown = " ".join(_bare(written))
                    yield Finding(
                        i,
                        f"split emoji sequence: {shown} shows as "
                        f"{len(_bare(written))} emoji, not {sequence} ({name}); "
                        "the zero width joiner U+200D is missing",
                        f"write {sequence} ({' '.join(f'U+{ord(c):04X}' for c in sequence)})",
                    )
                i = end
                continue
        if ch in SELECTORS and (i == 0 or text[i - 1] not in bases):
            after = f"after {_display(text[i - 1])}" if i else "at the start of the text"
            yield Finding(
                i,
                f"stray variation selector {SELECTORS[ch]} {after}: that character has "
                "no variation sequence, so the selector does nothing or shows as a box",
                f"delete the U+{ord(ch):04X}",
            )
        i += 1


def problems(text: str) -> Iterator[tuple[int, int, str, str]]:
    """``findings`` as (line, col, message, hint), 1-based, columns in characters."""
    line, line_start, done = 1, 0, 0  # findings come in order: count newlines once
    for f in findings(text):
        breaks = text.count("\n", done, f.offset)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", done, f.offset) + 1
        done = f.offset
        yield line, f.offset - line_start + 1, f.message, f.hint
