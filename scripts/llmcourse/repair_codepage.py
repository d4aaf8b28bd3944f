"""Code pages UTF-8 was misread as: byte tables, runs parsed into UTF-8 segments, candidates.

A run of a line is read back to the bytes a single-byte code page made of them and split into
UTF-8 characters; a damaged character (bytes dropped or shown as U+FFFD) gets every character
it can have been.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Code pages UTF-8 may have been read as, in order of preference when the evidence ties.
CODEPAGES: tuple[str, ...] = (
    "cp1252",
    "cp1254",
    "latin-1",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
)


@dataclass(frozen=True)
class CodePage:
    """Bytes 0x80-0xFF of a single-byte code page.

    ``to_byte`` maps each character the code page produces for a high byte back to it; an
    undefined byte is also reachable through its C1 stand-in (U+0080 + byte), as Windows'
    "best fit" decoders and ftfy's sloppy codecs produce.  ``undefined`` lists the bytes a
    strict decoder drops or replaces.
    """

    name: str
    to_byte: dict[str, int]
    undefined: tuple[int, ...]


@functools.cache
def codepage(name: str) -> CodePage:
    """The :class:`CodePage` for ``name``, from Python's codec."""
    to_byte: dict[str, int] = {}
    undefined: list[int] = []
    for b in range(0x80, 0x100):
        try:
            ch = bytes([b]).decode(name)
        except UnicodeDecodeError:
            undefined.append(b)
            ch = chr(b)
        to_byte.setdefault(ch, b)
    return CodePage(name, to_byte, tuple(undefined))


def _char_class(chars: Iterable[str]) -> str:
    return "".join(re.escape(c) for c in sorted(set(chars)))


@functools.cache
def tables() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    """Run pattern, mojibake signature pattern and the set of possible lead characters."""
    high: set[str] = set()
    leads: set[str] = set()
    conts: set[str] = set()
    for name in CODEPAGES:
        cp = codepage(name)
        for ch, b in cp.to_byte.items():
            high.add(ch)
            if 0xC2 <= b <= 0xF4:
                leads.add(ch)
            elif 0x80 <= b <= 0xBF:
                conts.add(ch)
    run_re = re.compile(f"[{_char_class(high)}\ufffd?]+")
    sig_re = re.compile(f"[{_char_class(leads)}][{_char_class(conts)}\ufffd]")
    return run_re, sig_re, frozenset(leads)


WILDCARD = -1  # an undefined byte shown as U+FFFD
#: A "?" inside a run: the byte a save in a legacy code page could not write.  It stands for a
#: lost continuation byte only between bytes that survived (``â€?``); elsewhere it is a "?".
QMARK = -2


def _utf8_len(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


@dataclass
class Segment:
    """Characters ``start..end`` of a run that form one UTF-8 character (maybe incomplete)."""

    start: int
    end: int
    lead: int
    conts: tuple[int, ...]  # observed continuation bytes (WILDCARD for U+FFFD)
    missing: int  # continuation bytes dropped

    @property
    def lossless(self) -> bool:
        return self.missing == 0 and WILDCARD not in self.conts


def parse_run(run: str, cp: CodePage) -> list[Segment | int] | None:
    """Split ``run`` into UTF-8 character segments and literal character indices.

    Returns None when a character of the run is not produced by ``cp`` at all.
    """
    bs: list[int] = []
    for ch in run:
        if ch == "\ufffd":
            bs.append(WILDCARD)
            continue
        if ch == "?":
            bs.append(QMARK)
            continue
        b = cp.to_byte.get(ch)
        if b is None:
            return None
        bs.append(b)
    out: list[Segment | int] = []
    i, n = 0, len(bs)
    can_drop = bool(cp.undefined)
    while i < n:
        b = bs[i]
        need = _utf8_len(b) - 1 if b >= 0 else -1
        if need <= 0:
            out.append(i)
            i += 1
            continue
        j = i + 1
        conts: list[int] = []
        while j < n and len(conts) < need and (bs[j] in (WILDCARD, QMARK) or 0x80 <= bs[j] <= 0xBF):
            conts.append(bs[j])
            j += 1
        if QMARK in conts and not any(c >= 0 for c in conts):
            # "?" stands for a lost byte only beside a byte that survived ("â€?"), never
            # after a lone lead ("qué?" is a question)
            j = i + 1 + conts.index(QMARK)
            conts = conts[: conts.index(QMARK)]
        conts = [WILDCARD if c == QMARK else c for c in conts]
        missing = need - len(conts)
        if (missing and not can_drop) or (not missing and not _valid_prefix(b, conts)):
            out.append(i)
            i += 1
            continue
        out.append(Segment(i, j, b, tuple(conts), missing))
        i = j
    return out


def _valid_prefix(lead: int, conts: Sequence[int]) -> bool:
    """Whether ``lead`` and the continuation bytes right after it (none dropped) can be valid
    UTF-8: no surrogate (``ED BB``: Spanish ``í»—`` through cp1252), no overlong form, nothing
    past U+10FFFF. A wildcard (U+FFFD) is any byte."""
    known = list(itertools.takewhile(lambda c: c >= 0, conts))[:1]
    if not known:
        return True
    second = known[0]
    low, high = {0xE0: (0xA0, 0xBF), 0xED: (0x80, 0x9F), 0xF0: (0x90, 0xBF)}.get(
        lead, (0x80, 0x8F) if lead == 0xF4 else (0x80, 0xBF)
    )
    return low <= second <= high


@functools.cache
def segment_candidates(
    lead: int, conts: tuple[int, ...], missing: int, fill: tuple[int, ...]
) -> tuple[str, ...]:
    """All characters a damaged segment can have been, valid and assigned."""
    need = len(conts) + missing
    found: dict[str, None] = {}
    for slots in itertools.combinations(range(need), missing):
        for ins in itertools.product(fill, repeat=missing):
            it_obs = iter(conts)
            it_ins = iter(ins)
            seq = [next(it_ins) if k in slots else next(it_obs) for k in range(need)]
            n_wild = seq.count(WILDCARD)
            for wild in itertools.product(fill, repeat=n_wild):
                it_w = iter(wild)
                full = bytes([lead, *(next(it_w) if x == WILDCARD else x for x in seq)])
                try:
                    ch = full.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if unicodedata.category(ch) not in ("Cn", "Cs") and ch != "\ufffd":
                    found[ch] = None
    return tuple(found)


def only_controls(candidates: Sequence[str]) -> bool:
    """Whether every candidate is a C1 control: an undefined byte of an inner layer of damage
    (``Â`` left of U+0081 once its second byte was dropped), never a character of text."""
    return bool(candidates) and all(unicodedata.category(c) == "Cc" for c in candidates)


def segment_bytes(seg: Segment) -> bytes:
    return bytes([seg.lead, *seg.conts])


def fill_set(names: Iterable[str], invisible: Iterable[str] = ()) -> tuple[int, ...]:
    """Bytes a damaged character may have lost: undefined ones, and stripped invisible ones."""
    s: set[int] = set()
    for n in names:
        cp = codepage(n)
        s.update(cp.undefined)
        s.update(cp.to_byte[c] for c in invisible if c in cp.to_byte)
    return tuple(sorted(b for b in s if 0x80 <= b <= 0xBF))
