"""One line under repair: its characters as positions that edits replace, double encoding undone.

Each repaired span is a group, reported as one finding; what a lossless pass produced is decoded
again while it still decodes (text encoded two to four times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .repair_mojibake import (
    DocContext,
    Edit,
    cjk_edit,
    cjk_lossy_edit,
    cjk_signature,
    latin_edits,
)


@dataclass
class Pos:
    """One character of a line being repaired."""

    origin: int  # 0-based column in the input line where this character's source starts
    end: int  # ... and where it ends
    char: str
    candidates: tuple[str, ...] = ()
    group: int = -1
    confidence: float = 1.0
    scores: tuple[float, ...] = ()


@dataclass
class Group:
    """One repaired span of the input, reported as one finding."""

    line: int
    start: int
    end: int
    kind: str
    codec: str
    dropped: int = 0
    absorbed: bool = False
    rounds: int = 1


def _apply(
    positions: list[Pos],
    lo: int,
    edits: Sequence[Edit],
    groups: list[Group],
    lno: int,
    rounds: int = 1,
) -> list[Pos]:
    """Apply edits found in the string of ``positions[lo:...]``; return the new positions."""
    out = positions[:lo]
    cursor = lo
    for e in sorted(edits, key=lambda e: e.start):
        a, b = lo + e.start, lo + e.end
        out.extend(positions[cursor:a])
        old = positions[a:b]
        for p in old:
            if p.group >= 0:
                groups[p.group].absorbed = True
        gi = len(groups)
        groups.append(
            Group(
                lno,
                min(p.origin for p in old),
                max(p.end for p in old),
                e.kind,
                e.codec,
                e.dropped,
                rounds=rounds,
            )
        )
        for idx, (off, ch, cands) in enumerate(e.chars):
            nxt = e.chars[idx + 1][0] if idx + 1 < len(e.chars) else e.end
            src = positions[lo + off : lo + nxt]
            out.append(Pos(src[0].origin, src[-1].end, ch, cands, gi))
        cursor = b
    out.extend(positions[cursor:])
    return out


def line_positions(line: str, lno: int, ctx: DocContext, groups: list[Group]) -> list[Pos]:
    """Decode every kind of mojibake on one line (lossy choices still open)."""
    positions = [Pos(i, i + 1, c) for i, c in enumerate(line)]
    edits = latin_edits(line, ctx, allow_lossy=True)
    first_new = len(groups)
    positions = _apply(positions, 0, edits, groups, lno)
    # UTF-8 read as GBK/Big5, on the non-ASCII runs the Latin pass left alone
    i = 0
    cjk: list[tuple[int, Edit]] = []
    left: list[tuple[int, str]] = []
    while i < len(positions):
        if positions[i].group >= 0 or positions[i].char.isascii():
            i += 1
            continue
        j = i
        while j < len(positions) and positions[j].group < 0 and not positions[j].char.isascii():
            j += 1
        e = None
        run = "".join(p.char for p in positions[i:j])
        if "\ufffd" in run:
            e = cjk_lossy_edit(run)  # UTF-8 read as GBK, its undecodable bytes as U+FFFD
        elif _cjk_suspect(positions[i:j]):
            e = cjk_edit(run)
        if e is not None:
            cjk.append((i, e))
        else:
            left.append((i, run))
        i = j
    if cjk:  # the line was read as GBK/Big5: its runs of é or ° were too (茅, 掳)
        cjk += [(lo, e) for lo, run in left if (e := cjk_edit(run, narrow=True)) is not None]
        cjk.sort(key=lambda item: item[0])
    for lo, e in reversed(cjk):
        positions = _apply(positions, lo, [e], groups, lno)
    # double encoding: decode again what a lossless pass produced, while it still decodes
    for rounds in range(2, 5):
        fresh = {
            gi
            for gi in range(first_new, len(groups))
            if groups[gi].kind in ("mojibake", "cjk-mojibake") and not groups[gi].absorbed
        }
        first_new = len(groups)
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(positions):
            if positions[i].group not in fresh:
                i += 1
                continue
            j = i
            while j < len(positions) and positions[j].group in fresh:
                j += 1
            spans.append((i, j))
            i = j
        changed = False
        for lo, hi in reversed(spans):
            text = "".join(p.char for p in positions[lo:hi])
            span_edits = latin_edits(text, ctx, allow_lossy=False)
            if not span_edits:
                e = cjk_edit(text)
                span_edits = [e] if e is not None else []
            if span_edits:
                positions = _apply(positions, lo, span_edits, groups, lno, rounds)
                changed = True
        if not changed:
            break
    return positions


def _cjk_suspect(run: Sequence[Pos]) -> bool:
    """Cheap test: do the GBK/Big5 bytes of this run form UTF-8 with a 3-4 byte character?"""
    return cjk_signature("".join(p.char for p in run))
