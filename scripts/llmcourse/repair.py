"""Repair of community translations: any encoding and any mojibake to clean UTF-8, losslessly.

Layers, each of which reports exactly what it did as :class:`Finding` objects:

* :func:`decode_bytes` tells the file's encoding: UTF-8 (with or without BOM), UTF-16/32 with
  BOM, GB18030/GBK or Big5.  Bytes that are valid as both GBK and Big5 are decided by the
  Chinese language model only when one reading is clearly more likely; otherwise
  :class:`EncodingAmbiguous` is raised, naming the file and the encodings that fit.  Bytes no
  supported encoding accepts raise :class:`UndecodableBytes` naming ``file:line:col``.
* :func:`repair_text` restores mojibake line by line and run by run, leaving everything else
  byte-identical:

  - UTF-8 read as latin-1 or a Windows code page (cp1250-cp1258), also double-encoded, is
    restored exactly when no byte was lost (``mojibake``);
  - UTF-8 read as GBK/GB18030 or Big5 is restored exactly (``cjk-mojibake``);
  - UTF-8 read as a Windows code page that *dropped* its undefined bytes (or replaced them by
    U+FFFD) is restored by enumerating the missing continuation bytes and choosing, with a
    language model of Chinese (:mod:`llmcourse.langmodel`), the most likely reading of the
    whole damaged run (``lossy-mojibake``).  A character that cannot be chosen with
    confidence is written with the best candidate and reported as
    ``lossy-mojibake-uncertain`` with its candidates; U+FFFD is never written silently.

  - text damaged more than once (read wrongly, saved, read wrongly again, any layer lossy)
    is peeled layer after layer by :mod:`llmcourse.layers`; a ``?`` between surviving bytes
    (``â€?``) stands for a byte a legacy save could not write, and a byte an outer layer lost
    from an inner layer's undefined byte is carried to that layer as its wildcard.  A line
    whose inner layer cannot be peeled without writing U+FFFD stays as the outer layers left
    it (``damage-left``).

  Mojibake inside code (code spans, fenced and indented code blocks, as
  :mod:`llmcourse.mdspans` finds them) is an example, not damage: it is reported as
  ``mojibake-in-code`` at its line and column and never rewritten.

* Neither layer invents Chinese: a decoding that turns plausible European text (Latin-1
  ``Grüße aus München`` read as GB18030, Polish ``ółć`` read as cp1250 mojibake) into
  unlikely text stands only when the language model strongly prefers it
  (:data:`STRONG_PREFERENCE`, :data:`AMBIGUITY_MARGIN`); otherwise the text stays as written
  or the file is refused as :class:`EncodingAmbiguous`.
* :func:`command` is the ``course.py repair`` command line.

Bytes an editor strips as invisible (U+00AD soft hyphen, directional marks, joiners) count as
droppable too when the document never shows them: seed 001 lost every 0xAD as well as
cp1254's undefined bytes.

ftfy is used only with :data:`FTFY_CONFIG` (mojibake fixes only: no quote uncurling, no width
or line-break changes, no normalisation, no lossy replacements) as a last resort for lines
this module's own detection leaves alone but ftfy's badness heuristic flags (Mac Roman, cp437,
…), and its result must pass the same plausibility rules as ours.

Clean text takes a fast path: without a mojibake signature (a lead/continuation pair of any
modelled code page, U+FFFD, a GBK/Big5 re-encoding that is valid UTF-8, or ftfy badness in
the non-CJK residue) nothing else runs and the language model is not loaded.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import ftfy
import ftfy.badness

from llmcourse import fsio

__all__ = [
    "CODEPAGES",
    "CONFIDENT",
    "FTFY_CONFIG",
    "Decoded",
    "EncodingAmbiguous",
    "Finding",
    "Repair",
    "RepairError",
    "UndecodableBytes",
    "command",
    "decode_bytes",
    "repair_file",
    "repair_text",
]

#: A character chosen with at least this confidence counts as restored.
CONFIDENT = 0.9
#: Temperature applied to the language model's max-marginal scores to get confidences.
TEMPERATURE = 1.0

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
#: CJK codecs UTF-8 may have been read as (UTF-8 decoded as GBK turns 中文 into 涓枃).
CJK_CODECS: tuple[str, ...] = ("gb18030", "big5", "cp950")

#: ftfy restricted to mojibake: everything that would alter clean text is switched off.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


# --------------------------------------------------------------------------------------------
# Results and errors
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One thing the repair noticed or did, at a 1-based line/column of the *input* text.

    ``confidence`` is 1.0 for exact (lossless) repairs, below :data:`CONFIDENT` for choices
    the language model could not make with confidence, and 0.0 for damage left unrestored.
    """

    source: str
    line: int
    col: int
    kind: str
    confidence: float
    detail: str
    candidates: tuple[str, ...] = ()

    def format(self) -> str:
        """The report line: ``path:line:col: kind (confidence 0.97): detail``."""
        return (
            f"{self.source}:{self.line}:{self.col}: {self.kind} "
            f"(confidence {self.confidence:.2f}): {self.detail}"
        )

    def __str__(self) -> str:
        return self.format()


@dataclass
class Decoded:
    """Text decoded from bytes, with the encoding that was recognised."""

    text: str
    encoding: str
    findings: list[Finding] = field(default_factory=list)
    bom: bool = False


@dataclass
class Repair:
    """Outcome of a repair: the repaired text and what was done to it."""

    text: str
    findings: list[Finding]
    changed: bool
    source: str = "<text>"
    encoding: str = "utf-8"

    @property
    def unresolved(self) -> list[Finding]:
        """Findings that could not be restored with confidence, one per character or problem.

        Characters chosen without confidence (``lossy-mojibake-uncertain``) and damage left as
        it was (confidence 0, e.g. ``replacement-char``); the per-run ``lossy-mojibake``
        summaries, which repeat their uncertain characters, are not listed again.
        """
        return [f for f in self.findings if f.confidence < CONFIDENT and f.kind != "lossy-mojibake"]

    @property
    def lost(self) -> list[Finding]:
        """Findings whose damage was not restored at all (confidence 0)."""
        return [f for f in self.findings if f.confidence <= 0.0]


class RepairError(ValueError):
    """Base class of the errors this module raises for unreadable input."""


class EncodingAmbiguous(RepairError):
    """The bytes decode validly, and plausibly, in more than one encoding."""

    def __init__(
        self,
        source: str,
        candidates: Sequence[str],
        detail: str = "",
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        self.source = source
        self.candidates = tuple(candidates)
        self.line, self.col = line, col
        where = f"{source}:{line}:{col}" if line is not None else source
        msg = (
            f"{where}: encoding is ambiguous: the bytes decode validly as "
            f"{' and as '.join(self.candidates)}"
        )
        if detail:
            msg += f" ({detail})"
        msg += "; convert the file to UTF-8 with the right encoding named explicitly"
        super().__init__(msg)


class UndecodableBytes(RepairError):
    """No supported encoding accepts the bytes."""

    def __init__(self, source: str, line: int, col: int, encoding: str, reason: str) -> None:
        self.source, self.line, self.col = source, line, col
        self.encoding, self.reason = encoding, reason
        super().__init__(f"{source}:{line}:{col}: undecodable bytes ({encoding}: {reason})")


# --------------------------------------------------------------------------------------------
# Code page tables (computed from Python's codecs)
# --------------------------------------------------------------------------------------------
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
def _tables() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
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


# --------------------------------------------------------------------------------------------
# Character priors (non-Han characters; Han characters are scored by the language model)
# --------------------------------------------------------------------------------------------
_PUNCT_LOGP: dict[str, float] = {}
for _chars, _lp in (
    ("，。", -4.0),
    ("、", -5.0),
    ("：（）「」“”", -6.0),
    ("；！？《》’…—", -7.0),
    ("『』【】‘–·•", -8.0),
    ("〈〉～→×°\u00a0\u3000／％", -9.0),
    ("←↑↓√≈≤≥✓✔★※©®™€£¥§±²«»", -10.0),
    ("✗☆µ³„′＃＆＊＋＝＜＞［］｜〜▲▼►◆●○■□", -11.0),
    ("¶‹›‚″＠｛｝＿〔〕〖〗", -12.0),
):
    for _c in _chars:
        _PUNCT_LOGP[_c] = _lp
_CLOSERS = {
    "」": "「",
    "』": "『",
    "】": "【",
    "》": "《",
    "〉": "〈",
    "”": "“",
    "’": "‘",
    "）": "（",
}

#: Widely used emoji (README/documentation usage), most common first.
_COMMON_EMOJI = (
    "🚀✨🔥📝✅❌⚠💡📚📖🎉👉👍🤖🧠💻🔗📌📎🔧🛠🎯📊📈🔍🐛📦⭐🌟💬📢🔔🧪🔬🧩🎨🌐🔒🔑🏆👀🙏😊😀"
    "😂🤔👋💪🙌📁📂📄📋🗂🔎⚡🐍🦙🤗👷🧑🗣🐦📙📘📗📕📓🧐🥱🌳🌱🍀🎓🏗💰📅⏱⏳🔄➡⬇⬆✏🖊🖥📱"
    "🧰⚙🔌💾🗃🗄📐📏📍📞🎬🎥🎧🎤🎮🧭🗺🌍🌎🌏☁🌈☀🌙💯🆕🆗🔴🟢🟡🔵⚪⚫❤💙💚💛💜🧡🤝👨👩"
)
_EMOJI_RANK = {ch: i for i, ch in enumerate(_COMMON_EMOJI)}
_LATIN_LOGP: dict[str, float] = {}
for _chars, _lp in (
    ("éáíóúüöäñçèà", -8.0),
    ("ãõêâôëïîûùòìœæåøßčšžć", -9.5),
    ("łńśżźřěůýőűąęğşı", -10.0),
    ("ōūāēđ", -11.0),
    ("ÉÁÍÓÚÜÖÄÑÇÈÀ", -10.5),
    ("ČŠŽĆŁŃŚŻŹŘĚŮÝŐŰĄĘĞŞİŌŪĀĒÃÕÊÂÔËÏÎÛÙÒÌŒÆÅØ", -11.5),
):
    for _c in _chars:
        _LATIN_LOGP[_c] = _lp


def is_emoji_like(ch: str) -> bool:
    """Pictographic characters that can take a ZWJ or variation selector 16."""
    o = ord(ch)
    return (
        0x1F000 <= o <= 0x1FAFF
        or 0x2600 <= o <= 0x27BF
        or 0x2B00 <= o <= 0x2BFF
        or 0x2300 <= o <= 0x23FF
        or 0x2190 <= o <= 0x21FF
        or o in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _is_emoji_context(ch: str | None) -> bool:
    return ch is not None and (is_emoji_like(ch) or ch in "\ufe0f\u200d" or ch.isdigit())


def symbol_logp(ch: str, prev: str | None, nxt: str | None, open_quotes: str = "") -> float:
    """Prior log-probability of a non-Han candidate character in Markdown prose.

    ``prev``/``nxt`` are the neighbouring characters (best guesses), ``open_quotes`` the
    unmatched opening brackets/quotes earlier on the line.
    """
    if ch == "\u200d":
        return -1.0 if _is_emoji_context(prev) and _is_emoji_context(nxt) else -26.0
    if ch == "\ufe0f":
        return -1.0 if prev is not None and (is_emoji_like(prev) or prev.isdigit()) else -26.0
    if ch == "\ufe0e":
        return -8.0 if prev is not None and is_emoji_like(prev) else -26.0
    lp = _PUNCT_LOGP.get(ch)
    if lp is not None:
        opener = _CLOSERS.get(ch)
        if opener is not None and ch != "’":
            lp += 4.0 if opener in open_quotes else -4.0
        return lp
    rank = _EMOJI_RANK.get(ch)
    if rank is not None:
        return -6.0 - 3.0 * rank / len(_COMMON_EMOJI)
    lp = _LATIN_LOGP.get(ch)
    if lp is not None:
        if prev is not None and prev.isalpha() and prev.islower() and ch.isupper():
            lp -= 3.0
        return lp
    cat = unicodedata.category(ch)
    o = ord(ch)
    if cat == "Cn" or cat == "Cs":
        return -60.0
    if cat == "Co":
        return -40.0
    if cat == "Cc":
        return -35.0
    if cat in ("Cf", "Zl", "Zp"):
        return -30.0
    if 0x1F300 <= o <= 0x1F6FF or 0x1F900 <= o <= 0x1FAFF:
        return -11.0
    if is_emoji_like(ch):
        return -14.0 if 0x1F000 <= o <= 0x1F0FF else -13.0
    if cat.startswith("M"):
        return -18.0
    if cat == "Zs":
        return -16.0
    if cat.startswith("L"):
        if 0x3040 <= o <= 0x30FF or 0xAC00 <= o <= 0xD7AF:
            return -13.0
        if o < 0x0530:
            return -13.0
        return -16.0
    if o >= 0x10000:
        return -18.0
    return -14.0


# --------------------------------------------------------------------------------------------
# Lossy/lossless parsing of a run as UTF-8 read through a code page
# --------------------------------------------------------------------------------------------
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


def _parse_run(run: str, cp: CodePage) -> list[Segment | int] | None:
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
        if missing and not can_drop:
            out.append(i)
            i += 1
            continue
        out.append(Segment(i, j, b, tuple(conts), missing))
        i = j
    return out


@functools.cache
def _candidates(
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


def _only_controls(candidates: Sequence[str]) -> bool:
    """Whether every candidate is a C1 control: an undefined byte of an inner layer of damage
    (``Â`` left of U+0081 once its second byte was dropped), never a character of text."""
    return bool(candidates) and all(unicodedata.category(c) == "Cc" for c in candidates)


def _segment_bytes(seg: Segment) -> bytes:
    return bytes([seg.lead, *seg.conts])


# --------------------------------------------------------------------------------------------
# Document analysis
# --------------------------------------------------------------------------------------------
_PLAUSIBLE_2BYTE = re.compile(r"[\u00a0-\u024f\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff]")


@dataclass
class _DocContext:
    ranking: list[str]
    evidence: dict[str, float]
    established: set[str]
    invisible_absent: frozenset[str] = frozenset()


def _analyse(lines: Sequence[str]) -> _DocContext:
    """Rank the code pages by how many suspicious runs they explain losslessly."""
    run_re, sig_re, _ = _tables()
    evidence = dict.fromkeys(CODEPAGES, 0.0)
    for line in lines:
        if not sig_re.search(line):
            continue
        for m in run_re.finditer(line):
            run = m.group()
            if not sig_re.search(run):
                continue
            for name in CODEPAGES:
                parsed = _parse_run(run, codepage(name))
                if parsed is None:
                    continue
                score = 0.0
                for item in parsed:
                    if isinstance(item, int):
                        score -= 1.0
                    elif not item.lossless:
                        score += 0.5 * (item.end - item.start)
                    elif item.end - item.start >= 3:
                        score += item.end - item.start
                    else:  # a 2-byte character: weak evidence unless it is classic mojibake
                        piece = run[item.start : item.end]
                        ch = _segment_bytes(item).decode("utf-8")
                        if _PLAUSIBLE_2BYTE.match(ch) and ftfy.badness.is_bad(piece):
                            score += 1.0
                evidence[name] += score
    order = {n: i for i, n in enumerate(CODEPAGES)}
    ranking = sorted(CODEPAGES, key=lambda n: (-evidence[n], order[n]))
    established = {n for n in CODEPAGES if evidence[n] >= 6.0}
    present = set().union(*(set(line) for line in lines)) if lines else set()
    absent = frozenset(c for c in _INVISIBLE if c not in present)
    return _DocContext(ranking, evidence, established, absent)


#: Characters some code pages give a byte to but editors strip as invisible (soft hyphen,
#: directional marks, joiners): their bytes are treated like undefined ones when a document
#: never shows them.
_INVISIBLE = frozenset("\u00ad\u200c\u200d\u200e\u200f")


# --------------------------------------------------------------------------------------------
# Edits: what one pass over a string proposes
# --------------------------------------------------------------------------------------------
@dataclass
class _Edit:
    """Replace characters ``start..end`` of a scanned string by ``chars``.

    Each new character is ``(offset, char, candidates)``: ``offset`` is the scanned-string index
    of the first character it was decoded from; ``candidates`` is non-empty for a lossy choice.
    """

    start: int
    end: int
    kind: str
    codec: str
    chars: list[tuple[int, str, tuple[str, ...]]]
    dropped: int = 0


def _lossless_ok(original: str, decoded: str, established: bool, depth: int = 0) -> bool:
    """Whether decoding a lossless group is a repair rather than damage to legit text.

    Characters of 3-4 UTF-8 bytes (CJK, punctuation, emoji) only arise from real mojibake;
    2-byte ones (Latin, Greek, Cyrillic letters) also from legit pairs such as ``ß“`` or
    ``É”``, so those must decode to a plausible letter and look like mojibake to ftfy (or the
    document must be established mojibake).
    """
    cats = [unicodedata.category(c) for c in decoded]
    if any(c in ("Cn", "Co", "Cs") for c in cats):
        return False
    if any(ord(c) >= 0x800 for c in decoded) and "Cc" not in cats:
        return True
    if _decodes_again(decoded, depth):
        return True  # double encoding: the result is itself mojibake
    if "Cc" in cats or not all(_PLAUSIBLE_2BYTE.match(c) for c in decoded):
        return False
    return established or ftfy.badness.is_bad(original)


def _decodes_again(text: str, depth: int) -> bool:
    """Whether ``text`` is itself lossless mojibake that decodes to something plausible."""
    if depth >= 3:
        return False
    for name in CODEPAGES:
        cp = codepage(name)
        if not all(c in cp.to_byte or c.isascii() for c in text):
            continue
        data = bytes(cp.to_byte.get(c, ord(c)) for c in text)
        try:
            again = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if again != text and _lossless_ok(text, again, False, depth + 1):
            return True
    return False


def _fill_set(names: Iterable[str], invisible: Iterable[str] = ()) -> tuple[int, ...]:
    """Bytes a damaged character may have lost: undefined ones, and stripped invisible ones."""
    s: set[int] = set()
    for n in names:
        cp = codepage(n)
        s.update(cp.undefined)
        s.update(cp.to_byte[c] for c in invisible if c in cp.to_byte)
    return tuple(sorted(b for b in s if 0x80 <= b <= 0xBF))


def _run_fit(parsed: list[Segment | int]) -> float:
    fit = 0.0
    for item in parsed:
        if isinstance(item, int):
            fit -= 2.0
        else:
            fit += (item.end - item.start) * (1.0 if item.lossless else 0.9)
    return fit


def _latin_edits(s: str, ctx: _DocContext, *, allow_lossy: bool) -> list[_Edit]:
    """Edits decoding UTF-8-read-as-a-code-page runs of ``s``."""
    run_re, _, leads = _tables()
    edits: list[_Edit] = []
    for m in run_re.finditer(s):
        run = m.group()
        if not any(c in leads for c in run):
            continue
        fits: list[tuple[float, str, list[Segment | int]]] = []
        for name in ctx.ranking:
            parsed = _parse_run(run, codepage(name))
            if parsed is not None:
                fits.append((_run_fit(parsed), name, parsed))
        if not fits:
            continue
        best_fit = max(f for f, _, _ in fits)
        if best_fit <= 0:
            continue
        _, name, parsed = next(f for f in fits if f[0] == best_fit)
        tied = [n for f, n, _ in fits if f == best_fit and ctx.evidence[n] == ctx.evidence[name]]
        fill = _fill_set(tied, ctx.invisible_absent)
        codec = "/".join(tied)
        established = name in ctx.established
        base = m.start()
        k = 0
        while k < len(parsed):
            if isinstance(parsed[k], int):
                k += 1
                continue
            segs: list[Segment] = []
            while k < len(parsed) and not isinstance(parsed[k], int):
                segs.append(parsed[k])  # type: ignore[arg-type]
                k += 1
            start, end = segs[0].start, segs[-1].end
            original = run[start:end]
            if all(g.lossless for g in segs):
                decoded = b"".join(_segment_bytes(g) for g in segs).decode("utf-8")
                if _lossless_ok(original, decoded, established):
                    chars = [(base + g.start, c, ()) for g, c in zip(segs, decoded, strict=True)]
                    if not _invents_chinese(s, base + start, base + end, chars):
                        edits.append(_Edit(base + start, base + end, "mojibake", codec, chars))
                continue
            if not allow_lossy:
                continue
            if len(segs) == 1 and not segs[0].conts:
                # a lone lead byte: legit in "André", "Ärger"; damage in "BeÄka", "ä 中"
                before = s[base + start - 1] if base + start > 0 else " "
                after = s[base + end] if base + end < len(s) else " "
                lead = run[start]
                mid_word_capital = lead.isupper() and before.islower() and before.isascii()
                accept = established and (
                    mid_word_capital
                    or not (before.isalnum() or after.isalnum())
                    or _only_controls(_candidates(segs[0].lead, (), segs[0].missing, fill))
                )
            else:
                # a complete 3-4 byte character, or an emoji prefix such as "ğŸ" (F0 9F),
                # never occurs in legit text
                accept = established or any(
                    (g.lossless and g.end - g.start >= 3) or (g.lead >= 0xF0 and len(g.conts) >= 2)
                    for g in segs
                )
            if not accept:
                continue
            chars = []
            dropped = 0
            for g in segs:
                if g.lossless:
                    chars.append((base + g.start, _segment_bytes(g).decode("utf-8"), ()))
                    continue
                cands = _candidates(g.lead, g.conts, g.missing, fill)
                if not cands:
                    break
                dropped += g.missing + g.conts.count(WILDCARD)
                chars.append((base + g.start, cands[0], cands if len(cands) > 1 else ()))
            else:
                if not _invents_chinese(s, base + start, base + end, chars):
                    edits.append(
                        _Edit(base + start, base + end, "lossy-mojibake", codec, chars, dropped)
                    )
    return edits


#: How much more likely (nats) the language model must find a decoding than the European
#: text it replaces: letters such as "ółć" or "ęś" are also what UTF-8 of Chinese looks like
#: through cp1250, and a decoding must not turn plausible Polish into unlikely Chinese.
STRONG_PREFERENCE = 10.0


def _is_european(text: str) -> bool:
    """Whether every character of ``text`` is a letter of the Latin script (``ółć``, ``ß``)."""
    return all(c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in text)


def _invents_chinese(
    s: str, start: int, end: int, chars: Sequence[tuple[int, str, tuple[str, ...]]]
) -> bool:
    """Whether decoding ``s[start:end]`` turns plausible European letters into unlikely text.

    The European reading is scored by the letter priors, the decoded one by the language model
    (each lossy position by its best candidate); the decoding stands only when the model
    prefers it by :data:`STRONG_PREFERENCE`.
    """
    original = s[start:end]
    if not _is_european(original) or not any(ord(c) >= 0x800 for _, c, _ in chars):
        return False
    from .langmodel import is_han, load_model

    lm = load_model()
    european = sum(
        symbol_logp(c, s[i - 1] if i else None, s[i + 1] if i + 1 < len(s) else None)
        for i, c in enumerate(original, start)
    )

    def single(c: str) -> float:
        return lm.single_logp(c) if is_han(c) else symbol_logp(c, None, None)

    decoded = "".join(max(cands, key=single) if cands else c for _, c, cands in chars)
    return _text_score(decoded) < european + STRONG_PREFERENCE


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_BAD_CATEGORIES = frozenset({"Cn", "Co", "Cs", "Cc"})


def _cjk_edit(s: str) -> _Edit | None:
    """An edit decoding ``s`` (a non-ASCII run) as UTF-8 that was read as GBK or Big5."""
    for codec in CJK_CODECS:
        try:
            decoded = s.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if decoded == s or any(unicodedata.category(c) in _BAD_CATEGORIES for c in decoded):
            continue
        if not any(ord(c) >= 0x800 for c in decoded):
            continue
        if any(_other_script_letter(c) for c in decoded):
            continue  # Chinese mojibake decodes to Han, Latin or symbols, not to Hangul etc.
        if _text_score(decoded) < _text_score(s) + 6.0:
            continue
        # map each decoded character to the mojibake character holding its first byte
        starts: list[int] = []
        for i, ch in enumerate(s):
            starts.extend([i] * len(ch.encode(codec)))
        chars: list[tuple[int, str, tuple[str, ...]]] = []
        off = 0
        for ch in decoded:
            chars.append((starts[off], ch, ()))
            off += len(ch.encode("utf-8"))
        return _Edit(0, len(s), "cjk-mojibake", codec, chars)
    return None


def _other_script_letter(c: str) -> bool:
    """A letter of a script that is neither Han, Latin nor kana (e.g. Hangul, Cyrillic)."""
    if not unicodedata.category(c).startswith("L") or ord(c) < 0x250:
        return False
    name = unicodedata.name(c, "")
    return not name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "LATIN", "FULLWIDTH LATIN"))


def _text_score(s: str) -> float:
    """Language-model log-probability of ``s`` (Han by words, other characters by prior)."""
    from .langmodel import decode_lattice, load_model

    lm = load_model()
    positions = [[(c, 0.0)] for c in s]

    def other(i: int, ch: str) -> float:
        if ch.isascii():
            return 0.0
        prev = s[i - 1] if i else None
        nxt = s[i + 1] if i + 1 < len(s) else None
        return symbol_logp(ch, prev, nxt)

    return decode_lattice(lm, positions, other).best if positions else 0.0


# --------------------------------------------------------------------------------------------
# Line driver
# --------------------------------------------------------------------------------------------
@dataclass
class _Pos:
    """One character of a line being repaired."""

    origin: int  # 0-based column in the input line where this character's source starts
    end: int  # ... and where it ends
    char: str
    candidates: tuple[str, ...] = ()
    group: int = -1
    confidence: float = 1.0
    scores: tuple[float, ...] = ()


@dataclass
class _Group:
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
    positions: list[_Pos],
    lo: int,
    edits: Sequence[_Edit],
    groups: list[_Group],
    lno: int,
    rounds: int = 1,
) -> list[_Pos]:
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
            _Group(
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
            out.append(_Pos(src[0].origin, src[-1].end, ch, cands, gi))
        cursor = b
    out.extend(positions[cursor:])
    return out


def _line_positions(line: str, lno: int, ctx: _DocContext, groups: list[_Group]) -> list[_Pos]:
    """Decode every kind of mojibake on one line (lossy choices still open)."""
    positions = [_Pos(i, i + 1, c) for i, c in enumerate(line)]
    edits = _latin_edits(line, ctx, allow_lossy=True)
    first_new = len(groups)
    positions = _apply(positions, 0, edits, groups, lno)
    # UTF-8 read as GBK/Big5, on the non-ASCII runs the Latin pass left alone
    i = 0
    cjk: list[tuple[int, _Edit]] = []
    while i < len(positions):
        if positions[i].group >= 0 or positions[i].char.isascii():
            i += 1
            continue
        j = i
        while j < len(positions) and positions[j].group < 0 and not positions[j].char.isascii():
            j += 1
        e = None
        if _cjk_suspect(positions[i:j]):
            e = _cjk_edit("".join(p.char for p in positions[i:j]))
        if e is not None:
            cjk.append((i, e))
        i = j
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
            span_edits = _latin_edits(text, ctx, allow_lossy=False)
            if not span_edits:
                e = _cjk_edit(text)
                span_edits = [e] if e is not None else []
            if span_edits:
                positions = _apply(positions, lo, span_edits, groups, lno, rounds)
                changed = True
        if not changed:
            break
    return positions


def _cjk_suspect(run: Sequence[_Pos]) -> bool:
    """Cheap test: do the GBK/Big5 bytes of this run form UTF-8 with a 3-4 byte character?"""
    return _cjk_signature("".join(p.char for p in run))


def _cjk_signature(s: str) -> bool:
    """Whether ``s`` re-encoded as GBK/Big5 is valid UTF-8 holding CJK, symbols or emoji.

    Clean two-character runs sometimes re-encode to valid 2-byte UTF-8 (``一些`` -> ``һЩ``);
    real mojibake of Chinese text decodes to characters of 3-4 UTF-8 bytes.
    """
    if len(s) < 2:
        return False
    for codec in CJK_CODECS:
        try:
            decoded = s.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if any(ord(c) >= 0x800 for c in decoded):
            return True
    return False


def _needs_work(text: str) -> bool:
    """Fast path: False when the text shows no sign of any damage this module repairs."""
    if text.isascii():
        return False
    _, sig_re, _ = _tables()
    if "\ufffd" in text or sig_re.search(text):
        return True
    if any(_cjk_signature(m.group()) for m in _NON_ASCII_RE.finditer(text)):
        return True
    return _ftfy_suspect(text)


_RESIDUE_RE = re.compile("[\x00-\x7f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


def _ftfy_suspect(text: str) -> bool:
    """ftfy's badness heuristic on what is left once ASCII and CJK text are blanked out."""
    return ftfy.badness.is_bad(_RESIDUE_RE.sub(" ", text))


_FTFY_EXPLAIN = FTFY_CONFIG._replace(explain=True)


def _ftfy_fallback(source: str, lno: int, line: str) -> tuple[str, Finding] | None:
    """Let ftfy (restricted to mojibake) fix a line this module's own passes left alone.

    It covers encodings this module does not model (Mac Roman, cp437, …).
    """
    fixed = ftfy.fix_and_explain(line, config=_FTFY_EXPLAIN)
    if fixed.text == line:
        return None
    ops = difflib.SequenceMatcher(None, line, fixed.text, autojunk=False).get_opcodes()
    for op, a1, a2, b1, b2 in ops:
        if op != "equal" and not _lossless_ok(line[a1:a2], fixed.text[b1:b2], False):
            return None  # the same plausibility rules as our own decoding (no "×²" -> "ײ")
    start = next(i for i, (a, b) in enumerate(zip(line, fixed.text, strict=False)) if a != b)
    tail = 0
    while (
        tail < min(len(line), len(fixed.text)) - start
        and line[len(line) - 1 - tail] == fixed.text[len(fixed.text) - 1 - tail]
    ):
        tail += 1
    before, after = line[start : len(line) - tail], fixed.text[start : len(fixed.text) - tail]
    plan = ", ".join(f"{step} {arg}" for step, arg in (fixed.explanation or []))
    detail = f"{_short(before)} -> {_short(after)} (ftfy: {plan})"
    return fixed.text, Finding(source, lno + 1, start + 1, "mojibake", 0.95, detail)


# --------------------------------------------------------------------------------------------
# Choosing lossy characters with the language model
# --------------------------------------------------------------------------------------------
_OPENERS = "「『【《〈“‘（"


def _open_quotes(chars: Sequence[str]) -> str:
    """Unmatched opening brackets/quotes in ``chars``."""
    out = []
    for opener in _OPENERS:
        closer = next(c for c, o in _CLOSERS.items() if o == opener)
        if chars.count(opener) > chars.count(closer):
            out.append(opener)
    return "".join(out)


def _choose(lines: list[list[_Pos]], script: str) -> None:
    """Decode every lossy position with the language model (in place)."""
    from .langmodel import is_han, load_model

    lm = load_model()
    for positions in lines:
        if not any(p.candidates for p in positions):
            continue
        # tentative choice: the best candidate on its own
        for p in positions:
            if p.candidates:
                p.char = max(
                    p.candidates,
                    key=lambda c: (
                        (lm.single_logp(c) + lm.script_penalty(c, script))
                        if is_han(c)
                        else symbol_logp(c, None, None)
                    ),
                )
        n = len(positions)
        i = 0
        while i < n:
            if not (positions[i].candidates or is_han(positions[i].char)):
                i += 1
                continue
            j = i
            while j < n and (positions[j].candidates or is_han(positions[j].char)):
                j += 1
            if any(p.candidates for p in positions[i:j]):
                _decode_window(lm, positions, i, j, script)
            i = j


def _decode_window(lm: object, positions: list[_Pos], lo: int, hi: int, script: str) -> None:
    from .langmodel import ChineseLM, decode_lattice, is_han

    assert isinstance(lm, ChineseLM)
    window = positions[lo:hi]
    line = [p.char for p in positions]  # current best guesses
    lattice = []
    for i, p in enumerate(window):
        if not p.candidates:
            lattice.append([(p.char, 0.0)])
            continue
        k = lo + i + 1
        after = positions[k].char if k < len(positions) else None
        if after in ("\r", "\n"):
            after = None
        ctx_before = "".join(line[max(0, lo + i - 20) : lo + i])
        lattice.append(
            [
                (c, lm.script_penalty(c, script) + lm.clause_prior(c, ctx_before, after))
                if is_han(c)
                else (c, 0.0)
                for c in p.candidates
            ]
        )

    opened_at: dict[int, str] = {}

    def other(i: int, ch: str) -> float:
        k = lo + i
        prev = positions[k - 1].char if k > 0 else None
        nxt = positions[k + 1].char if k + 1 < len(positions) else None
        if k not in opened_at:
            opened_at[k] = _open_quotes(line[:k])
        return symbol_logp(ch, prev, nxt, opened_at[k])

    res = decode_lattice(lm, lattice, other)
    for i, p in enumerate(window):
        if not p.candidates:
            continue
        p.char = p.candidates[res.choice[i]]
        p.confidence = res.confidence(i, TEMPERATURE)
        p.scores = tuple(res.scores[i])


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def _short(s: str, limit: int = 40) -> str:
    r = repr(s)
    return r if len(r) <= limit else r[: limit - 4] + "…" + r[-3:]


def _split_lines(text: str) -> list[str]:
    """Lines split on LF only (CR, NEL, LS… stay inside lines, untouched)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


#: Markdown code (mdspans kinds): mojibake there is an example, reported but never rewritten.
_CODE_KINDS = {
    "code": "a code span",
    "fence": "a fenced code block",
    "indented-code": "a code block",
}


def _code_columns(text: str, lines: Sequence[str]) -> dict[int, list[tuple[int, int, str]]]:
    """Code regions of each line: ``lno -> [(start col, end col, kind)]`` (0-based, half-open).

    Code spans, fenced and indented code blocks as :mod:`llmcourse.mdspans` (the scanner the
    converter uses) finds them.  Only lines with non-ASCII code are listed.
    """
    from . import mdspans

    if "`" not in text and "~~~" not in text and "    " not in text and "\t" not in text:
        return {}
    # -{…}- conversion rules are irrelevant here; a malformed one must not stop the repair
    spans = mdspans.scan(text.replace("-{", "-("))
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    out: dict[int, list[tuple[int, int, str]]] = {}
    for span in spans:
        if span.kind not in _CODE_KINDS or text[span.start : span.end].isascii():
            continue
        lno = bisect.bisect_right(starts, span.start) - 1
        while lno < len(lines) and starts[lno] < span.end:
            a = max(span.start, starts[lno]) - starts[lno]
            b = min(span.end, starts[lno + 1]) - starts[lno]
            if not lines[lno][a:b].isascii():
                out.setdefault(lno, []).append((a, b, span.kind))
            lno += 1
    return out


def _mask(line: str, cols: Sequence[tuple[int, int, str]], keep_code: bool) -> str:
    """``line`` with its code (or, ``keep_code``, everything but its code) blanked out."""
    inside = [False] * len(line)
    for a, b, _ in cols:
        inside[a:b] = [True] * (b - a)
    return "".join(
        c if (flag == keep_code or c in "\r\n") else " "
        for c, flag in zip(line, inside, strict=True)
    )


#: Most layers of damage peeled: UTF-8 read in a wrong encoding, saved, read wrongly again...
MAX_LAYERS = 5


def repair_text(text: str, source: str = "<text>") -> Repair:
    """Repair mojibake in ``text``; lines and runs that are not damaged stay byte-identical.

    Damage is peeled layer after layer (text damaged, saved and damaged again) until nothing
    is left to peel; a line whose deeper layer cannot be peeled without inventing a character
    stays as the last layer that could.  Mojibake inside code (code spans, fenced and indented
    code blocks) is an example, not damage: it is reported as ``mojibake-in-code`` and left as
    written.
    """
    if not _needs_work(text):
        return Repair(text, [], False, source)
    from .layers import peel_layers

    return peel_layers(text, source, _peel_once, MAX_LAYERS)


def _peel_once(text: str, source: str) -> tuple[str, list[Finding], dict[int, list[int]]]:
    """One layer of repair: the text, its findings, and per repaired line the input column
    (0-based) each output character came from."""
    lines = _split_lines(text)
    code = _code_columns(text, lines)
    prose = [_mask(line, code[i], False) if i in code else line for i, line in enumerate(lines)]
    ctx = _analyse(prose)
    groups: list[_Group] = []
    work: dict[int, list[_Pos]] = {}
    fallback: list[int] = []
    _, sig_re, _ = _tables()
    for lno, line in enumerate(prose):
        if line.isascii():
            continue
        if not ("\ufffd" in line or sig_re.search(line) or _needs_work(line)):
            continue
        positions = _line_positions(line, lno, ctx, groups)
        if any(p.group >= 0 for p in positions) or "\ufffd" in line:
            work[lno] = positions
        elif _ftfy_suspect(line):
            fallback.append(lno)
    if any(p.candidates for ps in work.values() for p in ps):
        from .langmodel import load_model

        lm = load_model()
        sample = "".join(p.char for ps in work.values() for p in ps if not p.candidates) + "".join(
            line for i, line in enumerate(prose) if i not in work
        )
        script = lm.script_of(sample)
        _choose(list(work.values()), script)
        for ps in work.values():
            for p in ps:
                if _only_controls(p.candidates):
                    # which undefined byte it was is for the next layer to tell: U+FFFD is
                    # that layer's wildcard, and a line left with it is given back as it was
                    p.char, p.candidates, p.confidence = "\ufffd", (), 1.0
    findings: list[Finding] = []
    out_lines = list(lines)
    colmaps: dict[int, list[int]] = {}
    for lno, positions in work.items():
        original = lines[lno]
        out_lines[lno] = "".join(
            p.char if p.group >= 0 else original[p.origin : p.end] for p in positions
        )
        colmaps[lno] = [p.origin for p in positions]
        findings.extend(_line_findings(source, lno, original, positions, groups))
    for lno in fallback:
        fixed = _ftfy_fallback_masked(source, lno, lines[lno], code.get(lno, []))
        if fixed is not None:
            out_lines[lno], finding = fixed
            findings.append(finding)
    for lno, cols in code.items():
        findings.extend(_code_findings(source, lno, lines[lno], cols, ctx))
    # U+FFFD left anywhere is reported, never passed on silently
    for lno, line in enumerate(out_lines):
        if "\ufffd" not in line:
            continue
        positions = work.get(lno)
        for col, ch in enumerate(line):
            if ch != "\ufffd":
                continue
            origin = positions[col].origin if positions else col
            findings.append(
                Finding(
                    source,
                    lno + 1,
                    origin + 1,
                    "replacement-char",
                    0.0,
                    "U+FFFD in the input: the original character was lost before this file "
                    "arrived and cannot be restored",
                )
            )
    findings.sort(key=lambda f: (f.line, f.col))
    return "".join(out_lines), findings, colmaps


def _ftfy_fallback_masked(
    source: str, lno: int, line: str, cols: Sequence[tuple[int, int, str]]
) -> tuple[str, Finding] | None:
    """:func:`_ftfy_fallback` on the prose of a line, its code left as written."""
    if not cols:
        return _ftfy_fallback(source, lno, line)
    out, found = [], None
    pos = 0
    for a, b, _ in [*sorted(cols), (len(line), len(line), "")]:
        piece = line[pos:a]
        fixed = _ftfy_fallback(source, lno, piece) if not piece.isascii() else None
        if fixed is not None:
            piece, f = fixed
            found = found or Finding(f.source, f.line, f.col + pos, f.kind, f.confidence, f.detail)
        out.append(piece + line[a:b])
        pos = b
    return ("".join(out), found) if found is not None else None


def _code_findings(
    source: str, lno: int, line: str, cols: Sequence[tuple[int, int, str]], ctx: _DocContext
) -> list[Finding]:
    """``mojibake-in-code`` findings for the mojibake the code of one line shows."""
    code_only = _mask(line, cols, True)
    groups: list[_Group] = []
    positions = _line_positions(code_only, lno, ctx, groups)
    spans: list[tuple[int, int, str]] = []
    for gi, g in enumerate(groups):
        if g.absorbed:
            continue
        chars = [p for p in positions if p.group == gi]
        reading = ""
        if chars and not any(p.candidates for p in chars):
            reading = f" of {_short(''.join(p.char for p in chars))}"
        spans.append((g.start, g.end, f"{reading} (UTF-8 read as {g.codec})"))
    if not spans:
        fixed = _ftfy_fallback(source, lno, code_only)
        if fixed is not None:
            f = fixed[1]
            start = f.col - 1
            original = f.detail.split(" -> ", 1)[0]
            spans.append((start, start + 1, f" ({original} -> {f.detail.split(' -> ', 1)[1]})"))
    out = []
    for start, end, how in spans:
        where = next((_CODE_KINDS[k] for a, b, k in cols if a <= start < b), "code")
        out.append(
            Finding(
                source,
                lno + 1,
                start + 1,
                "mojibake-in-code",
                1.0,
                f"{_short(line[start:end])} looks like mojibake{how} but sits in {where}: "
                "an example, left as written",
            )
        )
    return out


def _line_findings(
    source: str, lno: int, line: str, positions: list[_Pos], groups: list[_Group]
) -> list[Finding]:
    out: list[Finding] = []
    by_group: dict[int, list[_Pos]] = {}
    for p in positions:
        if p.group >= 0:
            by_group.setdefault(p.group, []).append(p)
    for gi, ps in by_group.items():
        g = groups[gi]
        original = line[g.start : g.end]
        repaired = "".join(p.char for p in ps)
        how = {
            "mojibake": f"UTF-8 read as {g.codec}",
            "cjk-mojibake": f"UTF-8 read as {g.codec}",
            "lossy-mojibake": f"UTF-8 read as {g.codec}, {g.dropped} undefined byte(s) dropped",
        }[g.kind]
        if g.rounds > 1:
            how += f", encoded {g.rounds} times"
        lossy = [p for p in ps if p.candidates]
        conf = min((p.confidence for p in lossy), default=1.0)
        detail = f"{_short(original)} -> {_short(repaired)} ({how})"
        if lossy:
            sure = sum(1 for p in lossy if p.confidence >= CONFIDENT)
            detail += f"; {sure}/{len(lossy)} damaged characters chosen with confidence"
        out.append(Finding(source, lno + 1, g.start + 1, g.kind, round(conf, 4), detail))
        for p in lossy:
            if p.confidence >= CONFIDENT:
                continue
            ranked = sorted(
                zip(p.candidates, p.scores or (0.0,) * len(p.candidates), strict=True),
                key=lambda cs: -cs[1],
            )
            top = [c for c, s in ranked if s > -math.inf][:8]
            listing = ", ".join(f"{c!r} U+{ord(c):04X}" for c in top)
            out.append(
                Finding(
                    source,
                    lno + 1,
                    p.origin + 1,
                    "lossy-mojibake-uncertain",
                    round(p.confidence, 4),
                    f"wrote {p.char!r} (U+{ord(p.char):04X}); candidates: {listing}",
                    tuple(top),
                )
            )
    return out


def _byte_position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    col = len(data[line_start:offset].decode(encoding, errors="replace")) + 1
    return line, col


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _strict(data: bytes, encoding: str, source: str, skip: int = 0) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as e:
        if encoding.startswith(("utf-16", "utf-32")):
            unit = 2 if encoding.startswith("utf-16") else 4
            text = data[skip : skip + e.start - e.start % unit].decode(encoding)
            line = text.count("\n") + 1
            col = len(text) - (text.rfind("\n") + 1) + 1
        else:
            line, col = _byte_position(data, skip + e.start, encoding)
        raise UndecodableBytes(source, line, col, encoding, e.reason) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes show ASCII-heavy UTF-16 without a BOM."""
    if len(data) < 8 or len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) // 2
    if odd > 0.3 * half and even < 0.02 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.02 * half:
        return "utf-16-be"
    return None


#: Minimum language-model margin (nats) for choosing GBK over Big5 or back: in total, and per
#: non-ASCII character.
AMBIGUITY_MARGIN = 12.0
AMBIGUITY_MARGIN_PER_CHAR = 1.5


def decode_bytes(data: bytes, source: str = "<bytes>") -> Decoded:
    """Decode a file's bytes, telling its encoding; never guess.

    Raises :class:`EncodingAmbiguous` when the bytes fit GBK/GB18030 and Big5 alike, and
    :class:`UndecodableBytes` (naming ``source:line:col``) when no supported encoding fits.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _strict(data, enc, source, len(bom))
            if enc == "utf-8":
                f = Finding(source, 1, 1, "bom", 1.0, "UTF-8 byte order mark removed")
            else:
                f = Finding(
                    source,
                    1,
                    1,
                    "encoding",
                    1.0,
                    f"decoded from {enc.upper()} (byte order mark); written as UTF-8",
                )
            return Decoded(text, enc, [f], bom=True)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        utf8_error = e
    enc16 = _utf16_without_bom(data)
    if enc16 is not None:
        try:
            text = data.decode(enc16)
        except UnicodeDecodeError:
            pass
        else:
            f = Finding(
                source,
                1,
                1,
                "encoding",
                0.95,
                f"decoded from {enc16.upper()} without byte order mark (NUL-byte pattern); "
                "written as UTF-8",
            )
            return Decoded(text, enc16, [f])
    fits: dict[str, str] = {}
    furthest = (utf8_error.start, "utf-8", utf8_error.reason)
    for family in (("gbk", "gb18030"), ("big5", "cp950")):
        for enc in family:
            try:
                fits[enc] = data.decode(enc)
                break
            except UnicodeDecodeError as e:
                if e.start > furthest[0]:
                    furthest = (e.start, enc, e.reason)
    european = _european_reading(data)
    if not fits:
        off, enc, reason = furthest
        line, col = _byte_position(data, off, enc)
        hint = ""
        if european is not None:
            hint = (
                f"; the bytes read as European text in {european[0].upper()} "
                f"({_short(_first_non_ascii_line(european[1]))}): convert the file to UTF-8 "
                "naming its encoding"
            )
        raise UndecodableBytes(
            source,
            line,
            col,
            enc,
            f"{reason}; tried UTF-8, UTF-16 (BOM), GBK/GB18030, Big5/cp950{hint}",
        )
    if european is not None:
        _refuse_unlikely_chinese(data, source, fits, european)
    if len(fits) == 1:
        enc, text = next(iter(fits.items()))
        f = Finding(
            source,
            1,
            1,
            "encoding",
            1.0,
            f"decoded from {enc.upper()} (not valid UTF-8 nor the other CJK encodings); "
            "written as UTF-8",
        )
        return Decoded(text, enc, [f])
    (e1, t1), (e2, t2) = fits.items()
    s1, s2 = _text_score(t1), _text_score(t2)
    n = max(1, sum(1 for c in t1 if not c.isascii()))
    if s1 < s2:
        (e1, t1, s1), (e2, t2, s2) = (e2, t2, s2), (e1, t1, s1)
    margin = s1 - s2
    if margin < AMBIGUITY_MARGIN or margin / n < AMBIGUITY_MARGIN_PER_CHAR:
        raise EncodingAmbiguous(
            source,
            (e1.upper(), e2.upper()),
            f"the Chinese language model prefers {e1.upper()} by only {margin:.1f} nats "
            f"over {n} characters",
        )
    conf = round(1.0 - math.exp(-min(margin, 50.0)), 4)
    f = Finding(
        source,
        1,
        1,
        "encoding",
        conf,
        f"decoded from {e1.upper()}; {e2.upper()} also decodes but reads {margin:.0f} nats less "
        "likely as Chinese; written as UTF-8",
    )
    return Decoded(t1, e1, [f])


#: Single-byte code pages whose reading of non-UTF-8 bytes is checked for European text.
EUROPEAN_CODEPAGES = ("cp1252", "cp1250", "cp1257", "iso8859-15")
#: Punctuation European text in those code pages has besides letters.
_EUROPEAN_PUNCT = frozenset("«»„“”‚‘’–—…€£¥§°·¡¿\u00a0×÷±½¼¾²³ºª©®™•")


def _european_reading(data: bytes) -> tuple[str, str] | None:
    """``(code page, text)`` when the bytes read as plausible European text, else None.

    Plausible: every non-ASCII character is a Latin letter or common punctuation, and every
    word with a non-ASCII letter also has ASCII letters (``München``, ``coûte``), or is one
    letter long (``à``): GBK or Big5 bytes read this way give runs of symbols and letters.
    """
    for name in EUROPEAN_CODEPAGES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if all(c.isascii() or c in _EUROPEAN_PUNCT or _is_european(c) for c in text) and all(
            len(w) == 1 or any(c.isascii() for c in w)
            for w in re.findall(r"[^\W\d_]+", text)
            if not w.isascii()
        ):
            return name, text
    return None


def _first_non_ascii_line(text: str) -> str:
    return next((line for line in text.splitlines() if not line.isascii()), text)


def _refuse_unlikely_chinese(
    data: bytes, source: str, fits: dict[str, str], european: tuple[str, str]
) -> None:
    """Raise :class:`EncodingAmbiguous` unless the language model strongly prefers Chinese.

    Latin-1 German (``Grüße aus München``) is valid GB18030 too; decoding it so would invent
    Chinese.  Every CJK reading must beat the European one by :data:`AMBIGUITY_MARGIN` nats
    in total and :data:`AMBIGUITY_MARGIN_PER_CHAR` per non-ASCII character.
    """
    name, text = european
    eur = _text_score(text)
    n = max(1, sum(1 for c in text if not c.isascii()))
    for enc, cjk in fits.items():
        margin = _text_score(cjk) - eur
        if margin >= AMBIGUITY_MARGIN and margin / n >= AMBIGUITY_MARGIN_PER_CHAR:
            continue
        first = next(i for i, b in enumerate(data) if b >= 0x80)
        line, col = _byte_position(data, first, name)
        sample = _first_non_ascii_line(text)
        verdict = (
            f"the Chinese language model prefers {enc.upper()} by only {margin:.1f} nats"
            if margin > 0
            else f"the Chinese language model finds {enc.upper()} {-margin:.1f} nats less likely"
        )
        raise EncodingAmbiguous(
            source,
            (enc.upper(), name.upper()),
            f"as {name.upper()} the bytes read as European text ({_short(sample)}), as "
            f"{enc.upper()} as unlikely Chinese ({_short(_first_non_ascii_line(cjk))}); {verdict}",
            line,
            col,
        )


def repair_file(path: str | os.PathLike[str]) -> Repair:
    """Decode a file (:func:`decode_bytes`) and repair its text (:func:`repair_text`)."""
    p = Path(path)
    data = p.read_bytes()
    decoded = decode_bytes(data, str(path))
    rep = repair_text(decoded.text, str(path))
    findings = decoded.findings + rep.findings
    changed = rep.text.encode("utf-8") != data
    return Repair(rep.text, findings, changed, str(path), decoded.encoding)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def _backup_path(path: Path, data: bytes) -> tuple[Path, bool]:
    """Where to keep the original: ``FILE.orig``, or the next free ``FILE.orig.N``.

    Returns the path and whether an identical backup already exists there.
    """
    candidate = path.with_name(path.name + ".orig")
    n = 0
    while candidate.exists():
        try:
            if candidate.read_bytes() == data:
                return candidate, True
        except OSError:
            pass
        n += 1
        candidate = path.with_name(f"{path.name}.orig.{n}")
    return candidate, False


def _write_in_place(path: Path, data: bytes, new: bytes, stderr: TextIO) -> None:
    """Keep the original as a backup, then replace the file; both writes are atomic.

    A process killed at any moment leaves the file with its old bytes or its new ones, and
    the backup absent or complete (it is hard-linked into place only once fully written).
    """
    while True:
        backup, existed = _backup_path(path, data)
        fsio.remove_stale_temporaries(backup)  # what a run killed half-way left
        if existed or fsio.atomic_create(backup, data):  # never overwrite a backup
            break
    fsio.remove_stale_temporaries(path)
    default = path.with_name(path.name + ".orig")
    note = "" if backup == default else f" ({default.name} already exists with other content)"
    fsio.atomic_write(path, new)  # keeps the file's permission bits
    stderr.write(f"{path}: repaired in place; original kept as {backup}{note}\n")


def command(
    paths: list[str],
    *,
    in_place: bool,
    check: bool,
    strict: bool,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """``course.py repair FILE… [--in-place] [--check] [--strict]``.

    Without a flag, exactly one FILE: the repaired UTF-8 text goes to ``stdout``, the report
    to ``stderr``.  ``--in-place`` rewrites each damaged file, keeping the original beside it
    as ``FILE.orig`` (``FILE.orig.N`` if a different backup is already there).  ``--check``
    changes nothing and fails when any file needs repair.

    Exit status: 0 when every file is clean or was repaired with confidence; 1 when something
    could not be restored (an undecodable or ambiguous file, U+FFFD, a file that needs repair
    under ``--check``), or under ``--strict`` when any character was chosen without
    confidence; 2 on usage errors (no FILE, several FILEs to stdout, ``--check`` with
    ``--in-place``, a FILE that cannot be read).
    """
    if not paths:
        stderr.write("repair: error: no FILE given\n")
        return 2
    if check and in_place:
        stderr.write("repair: error: --check and --in-place exclude each other\n")
        return 2
    if not check and not in_place and len(paths) != 1:
        stderr.write(
            "repair: error: several FILEs need --in-place or --check "
            "(only one FILE can be written to stdout)\n"
        )
        return 2
    for p in paths:
        if not Path(p).is_file():
            stderr.write(f"repair: error: {p}: no such file\n")
            return 2
    status = 0
    for p in paths:
        path = Path(p)
        try:
            data = path.read_bytes()
        except OSError as e:
            stderr.write(f"repair: error: {p}: {e.strerror}\n")
            return 2
        try:
            decoded = decode_bytes(data, p)
        except RepairError as e:
            stderr.write(f"{e}\n")
            status = 1
            continue
        rep = repair_text(decoded.text, p)
        findings = decoded.findings + rep.findings
        new = rep.text.encode("utf-8")
        needs = new != data
        for f in findings:
            stderr.write(f.format() + "\n")
        lost = [f for f in findings if f.confidence <= 0.0]
        unsure = [f for f in findings if 0.0 < f.confidence < CONFIDENT]
        n_chars = sum(1 for f in unsure if f.kind == "lossy-mojibake-uncertain")
        if lost or (strict and unsure):
            status = 1
        if check:
            if needs:
                stderr.write(f"{p}: needs repair ({len(findings)} finding(s))\n")
                status = 1
        elif in_place:
            if needs:
                _write_in_place(path, data, new, stderr)
        else:
            buffer = getattr(stdout, "buffer", None)
            if buffer is not None:
                stdout.flush()
                buffer.write(new)
                buffer.flush()
            else:
                stdout.write(rep.text)
        if findings or needs:
            stderr.write(
                f"{p}: {len(findings)} finding(s), {n_chars} character(s) chosen without "
                f"confidence, {len(lost)} lost\n"
            )
    return status
