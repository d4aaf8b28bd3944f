"""The benchmarks table in the reader's language.

`course.py bench` measures in English (its console output and docs/about/benchmarks.en.md).
The zh-TW page (docs/about/benchmarks.md, converted to zh-CN like any page) gets the same
rows with their words translated by the ordered phrase list of locales/<lang>.yml `bench`:
each entry is an English phrase where {name} stands for any text (a number, a page) and its
translation, which repeats the names it keeps. The first entry that matches a part of a cell
replaces it; the cell is then matched again, so phrases compose ("6.8 s (min 6.7, max 6.9)").
`bench.keep` lists the names that stay as written (tools, units, file names).
"""

from __future__ import annotations

import functools
import re

from llmcourse import locales

MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"
WORD, ANY = r"[^\s,;()（）]+", ".+?"


def localize(text: str, lang: str) -> str:
    """One cell of the table in `lang` (English stays as it is)."""
    for pattern, replacement in _phrases(lang):
        text = pattern.sub(lambda m, r=replacement: r.format(**m.groupdict()), text)
    return text


def block(rows: list[tuple[str, str]], machine: str, when: str, lang: str) -> str:
    """The marked block of a benchmarks page: machine, date and the table in `lang`."""
    header = {"measure": "measure", "result": "result"}
    header.update(locales.load(lang).get("bench", {}).get("header", {}))
    table = [f"| {header['measure']} | {header['result']} |", "|---|---|"]
    table += [f"| {localize(label, lang)} | {localize(value, lang)} |" for label, value in rows]
    return "\n".join([MARK_START, "", f"`{machine}` · {when}", "", *table, "", MARK_END])


def parse(page: str) -> tuple[list[tuple[str, str]], str, str]:
    """(rows, machine, date) of the marked block of an English benchmarks page."""
    start, end = page.index(MARK_START), page.index(MARK_END)
    lines = [line for line in page[start:end].splitlines() if line.strip()]
    machine, when = re.fullmatch(r"`(.*)` · (.*)", lines[1]).groups()
    rows = []
    for line in lines[4:]:
        label, value = line.strip().strip("|").split(" | ", 1)
        rows.append((label.strip(), value.strip()))
    return rows, machine, when


@functools.cache
def _phrases(lang: str) -> list[tuple[re.Pattern, str]]:
    """The compiled phrase list of a language; {name} matches as little text as it can."""
    out = []
    for entry in locales.load(lang).get("bench", {}).get("phrases", []):
        ((english, translation),) = entry.items()
        parts = re.split(r"\{(\w+)\}", english)
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_kind(parts, i)})"
            for i, part in enumerate(parts)
        )
        out.append((re.compile(pattern), translation))
    return out


def _kind(parts: list[str], i: int) -> str:
    """A name that starts or ends its phrase is one word (a number, a page); others any run."""
    starts = i == 1 and not parts[0]
    ends = i == len(parts) - 2 and not parts[-1]
    return WORD if starts or ends else ANY
