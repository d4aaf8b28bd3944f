"""Regional vocabulary: mainland words in zh-TW sources, Taiwan words in zh-CN sources.

The conversion makes the other *script*; it cannot tell that a zh-TW page written by converting
Simplified text says 數據庫 where a Taiwanese reader (and search) expects 資料庫. This module
finds such words in the prose of a source page and, for ``course.py convert --normalize``,
replaces them with the word of the page's own region.

The word pairs are data: ``locales/regional.yml`` (its header explains the keys). Prose is what
:func:`llmcourse.mdspans.scan` leaves outside protected spans and ``-{…}-`` rules, so code, URLs,
markup, math and front-matter keys are never read, and a rule is a deliberate choice. A page
keeps other deliberate uses (a quoted title, a product name) in its front-matter list
``regional:``: an occurrence inside one of those strings is not reported.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import opencc
import yaml

from llmcourse import LOCALES, ROOT, chinese, fsio, guard, mdspans, mdtext, pages

__all__ = [
    "FRONT_MATTER_KEY",
    "Hit",
    "RegionalError",
    "TableError",
    "TABLE",
    "find",
    "normalize",
    "page_marks",
    "script_of",
    "table",
]

TABLE = LOCALES / "regional.yml"
#: The front-matter key of a page's deliberate uses.
FRONT_MATTER_KEY = "regional"
_FLAGS = ("both", "tw", "cn")
_KEYS = {"cn", "tw", "flag", "keep_tw", "keep_cn", "note"}


class RegionalError(ValueError):
    """An invalid vocabulary table or ``regional:`` list.

    The message names ``file:line:col`` for the table; for a page's list, ``index`` is the
    entry at fault (``None`` for the list itself).
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class TableError(RegionalError):
    """An invalid ``locales/regional.yml``; the message starts with its ``file:line:col``."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word of the other region as a page in one script writes it, and what to write."""

    form: str
    suggestion: str
    note: str
    #: strings that contain ``form`` and keep it, with the offsets of ``form`` inside them
    keep: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class Side:
    """The terms one script flags, longest form first, and its own region's words."""

    script: str
    terms: dict[str, Term]
    pattern: re.Pattern[str]
    own: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """A word of the other region in a page: offsets, 1-based line/col, suggestion, note."""

    start: int
    end: int
    line: int
    col: int
    found: str
    suggestion: str
    note: str

    def message(self, script: str) -> str:
        """What ``check`` prints for this hit."""
        region = "mainland" if script == "zh-TW" else "Taiwan"
        other = "Taiwan" if script == "zh-TW" else "the mainland"
        return (
            f"{region} word {self.found} in a {script} page: {other} writes "
            f"{self.suggestion} ({self.note})"
        )


# ---------------------------------------------------------------------------------------------
# The table


def _offsets(word: str, form: str) -> tuple[int, ...]:
    return tuple(m.start() for m in re.finditer(f"(?={re.escape(form)})", word))


def _where(path: Path, node: yaml.Node) -> str:
    """``file:line:col`` of a YAML node of the table."""
    return f"{guard.display(path, ROOT)}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


@functools.cache
def table(path: Path = TABLE) -> dict[str, Side]:
    """The vocabulary of ``path`` for each script (read and validated once)."""
    shown = guard.display(path, ROOT)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        raise TableError(f"{shown}:{line}:{col}: invalid YAML: {problem}") from exc
    if not isinstance(root, yaml.MappingNode) or [k.value for k, _ in root.value] != ["terms"]:
        raise TableError(f"{shown}:1:1: expected one key, terms: a list of word pairs")
    entries = root.value[0][1]
    if not isinstance(entries, yaml.SequenceNode):
        raise TableError(f"{_where(path, entries)}: terms must be a list of word pairs")
    pairs: list[tuple[dict, yaml.Node]] = []
    for node in entries.value:
        entry = _construct(node)
        where = _where(path, node)
        if not isinstance(entry, dict):
            raise TableError(f"{where}: each term is a mapping with cn and tw")
        extra = sorted(set(entry) - _KEYS)
        if extra:
            raise TableError(f"{where}: unknown key(s) {extra}; use {sorted(_KEYS)}")
        for key in ("cn", "tw"):
            value = entry.get(key)
            if not isinstance(value, str) or not value or any(ch.isspace() for ch in value):
                raise TableError(f"{where}: {key} must be one word without spaces")
        if entry.get("flag", "both") not in _FLAGS:
            raise TableError(f"{where}: flag must be one of {', '.join(_FLAGS)}")
        if not isinstance(entry.get("note", ""), str):
            raise TableError(f"{where}: note must be text")
        pairs.append((entry, node))
    return {script: _side(path, script, pairs) for script in chinese.SCRIPTS}


def _construct(node: yaml.Node) -> object:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _side(path: Path, script: str, pairs: list[tuple[dict, yaml.Node]]) -> Side:
    """The terms a page in ``script`` is checked for."""
    own_key, other_key = ("tw", "cn") if script == "zh-TW" else ("cn", "tw")
    writer = opencc.OpenCC(chinese.CHARS_INTO[script])  # the other region's word in this script
    own = tuple(sorted({entry[own_key] for entry, _ in pairs}, key=len, reverse=True))
    terms: dict[str, Term] = {}
    for entry, node in pairs:
        if entry.get("flag", "both") not in ("both", own_key):
            continue
        where = _where(path, node)
        form = writer.convert(entry[other_key])
        if form == entry[own_key]:
            raise TableError(
                f"{where}: {entry[other_key]} is written {form} in {script}, the word it "
                "would be replaced with"
            )
        if form in terms:
            raise TableError(f"{where}: {form} is listed twice for {script} pages")
        keep = entry.get(f"keep_{own_key}", [])
        if not isinstance(keep, list) or not all(isinstance(k, str) and k for k in keep):
            raise TableError(f"{where}: keep_{own_key} must be a list of strings")
        for k in keep:
            if form not in k:
                raise TableError(f"{where}: keep_{own_key} entry {k!r} does not contain {form}")
        keeps = [(k, _offsets(k, form)) for k in keep]
        keeps += [(w, _offsets(w, form)) for w in own if form in w]
        terms[form] = Term(form, entry[own_key], entry.get("note", ""), tuple(keeps))
    forms = sorted(terms, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, forms)) if forms else r"(?!)")
    return Side(script, terms, pattern, own)


# ---------------------------------------------------------------------------------------------
# Pages


def script_of(path: Path) -> str | None:
    """The script of a Chinese source file (``page.md`` zh-TW, ``page.zh-CN.md``), else None."""
    if path.suffix != ".md":
        return None
    lang = pages.language_of(path.name)
    return lang if lang in chinese.SCRIPTS else None


def page_marks(data: object) -> list[str]:
    """The ``regional:`` list of a page's front matter (strings kept as written)."""
    if not isinstance(data, dict) or data.get(FRONT_MATTER_KEY) is None:
        return []
    marks = data[FRONT_MATTER_KEY]
    if not isinstance(marks, list):
        raise RegionalError(
            f"front matter {FRONT_MATTER_KEY!r} must be a list of the words or phrases kept "
            "as written"
        )
    for i, mark in enumerate(marks):
        if not isinstance(mark, str) or not mark.strip():
            raise RegionalError(f"{FRONT_MATTER_KEY}[{i}] must be a non-empty string", i)
    return marks


def _covered(text: str, start: int, keeps: Iterable[tuple[str, Iterable[int]]]) -> bool:
    """Whether one of ``keeps`` occurs in ``text`` around the form found at ``start``."""
    for word, offsets in keeps:
        for off in offsets:
            s = start - off
            if s >= 0 and text.startswith(word, s):
                return True
    return False


def _overlapped(text: str, start: int, end: int, side: Side) -> bool:
    """Whether a word of the page's own region starts inside ``text[start:end]`` and runs on.

    Then the form is probably not a word here: 在線 in 在線上部署 is 在 + 線上.
    """
    return any(
        text.startswith(word, k) and k + len(word) > end
        for k in range(start + 1, end)
        for word in side.own
        if word[0] == text[k]
    )


def _prose(text: str) -> list[tuple[int, int]]:
    """The (start, end) ranges of ``text`` outside protected spans and rules."""
    ranges: list[tuple[int, int]] = []
    pos = 0
    for span in mdspans.scan(text):
        if span.start > pos:
            ranges.append((pos, span.start))
        pos = max(pos, span.end)
    if pos < len(text):
        ranges.append((pos, len(text)))
    return ranges


def find(
    text: str, script: str, *, marks: list[str] | None = None, path: Path = TABLE
) -> tuple[list[Hit], list[int]]:
    """Words of the other region in the prose of a ``script`` page, and unused marks.

    ``marks`` defaults to the page's own ``regional:`` list; the second list holds the indexes
    of marks that keep nothing on the page (stale). Raises :class:`RegionalError` for a bad
    table or list, and :class:`llmcourse.mdspans.RuleError` for a malformed ``-{…}-`` rule.
    """
    side = table(path)[script]
    fm = mdspans.split_front_matter(text)
    if marks is None:
        marks = page_marks(fm.data) if fm is not None else []
    own_list = (fm.value_range(FRONT_MATTER_KEY) if fm is not None and marks else None) or (0, 0)
    used = [False] * len(marks)
    hits: list[Hit] = []
    for start, end in _prose(text):
        if own_list[0] <= start and end <= own_list[1]:
            continue  # the regional: list itself
        pos = start
        while True:
            m = side.pattern.search(text, pos, end)
            if m is None:
                break
            term = side.terms[m.group()]
            page = [(k, _offsets(k, term.form)) for k in marks if term.form in k]
            if _covered(text, m.start(), page):
                for i, k in enumerate(marks):
                    used[i] = used[i] or _covered(text, m.start(), [(k, _offsets(k, term.form))])
                pos = m.start() + 1
                continue
            if _covered(text, m.start(), term.keep) or _overlapped(text, m.start(), m.end(), side):
                pos = m.start() + 1
                continue
            line, col = mdtext.line_col(text, m.start())
            hits.append(Hit(m.start(), m.end(), line, col, term.form, term.suggestion, term.note))
            pos = m.end()
    return hits, [i for i, u in enumerate(used) if not u]


def normalize(text: str, script: str, *, path: Path = TABLE) -> tuple[str, list[Hit]]:
    """``text`` with every reported word replaced by its suggestion, and the hits replaced."""
    hits, _ = find(text, script, path=path)
    out: list[str] = []
    pos = 0
    for hit in hits:
        out.append(text[pos : hit.start])
        out.append(hit.suggestion)
        pos = hit.end
    out.append(text[pos:])
    return "".join(out), hits


# ---------------------------------------------------------------------------------------------
# Command line


def command(paths: list[str], *, stdout: TextIO, stderr: TextIO) -> int:
    """``course.py convert --normalize FILE…``: rewrite each source with its region's words.

    Prints ``file:line:col: 數據庫 → 資料庫`` for each word replaced (line and column in the file
    as it was), then a summary; files are replaced atomically and only when they change.
    Exit status: 0 done, 1 a file could not be read or normalized (others are still done),
    2 usage error (no file, missing file, not a Chinese source).
    """
    if not paths:
        print("convert --normalize: no input file given", file=stderr)
        return 2
    bad = 0
    for name in paths:
        path = Path(name)
        if not path.is_file():
            print(f"convert --normalize: {name}: no such file", file=stderr)
            bad += 1
        elif script_of(path) is None:
            print(
                f"convert --normalize: {name}: not a Chinese source (page.md for zh-TW, "
                "page.zh-CN.md for zh-CN)",
                file=stderr,
            )
            bad += 1
    if bad:
        return 2
    status = 0
    changed = replaced = 0
    for name in paths:
        path = Path(name)
        script = script_of(path)
        assert script is not None
        try:
            text = fsio.read_utf8(path)
        except fsio.NotUTF8 as exc:
            print(f"convert --normalize: {exc}", file=stderr)
            status = 1
            continue
        try:
            new, hits = normalize(text, script)
        except mdspans.RuleError as exc:
            line, col = mdtext.line_col(text, exc.offset)
            print(f"convert --normalize: {name}:{line}:{col}: {exc}", file=stderr)
            status = 1
            continue
        except RegionalError as exc:
            where = "" if isinstance(exc, TableError) else f"{name}: front matter: "
            print(f"convert --normalize: {where}{exc}", file=stderr)
            status = 1
            continue
        for hit in hits:
            print(f"{name}:{hit.line}:{hit.col}: {hit.found} → {hit.suggestion}", file=stdout)
        if new != text:
            fsio.atomic_write(path, new)
            changed += 1
            replaced += len(hits)
    print(
        f"convert --normalize: {replaced} word{'s' if replaced != 1 else ''} replaced in "
        f"{changed} of {len(paths)} file{'s' if len(paths) != 1 else ''}",
        file=stdout,
    )
    return status
