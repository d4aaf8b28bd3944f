"""Mojibake in a string, found and proposed as edits: code page, GBK/Big5 and ftfy readings.

UTF-8 read as a single-byte code page is decoded losslessly, or lossily with candidates for the
lost bytes; UTF-8 read as GBK/GB18030 or Big5 losslessly; a line none of these explain is left
to ftfy as a last resort.

ftfy is used only with :data:`FTFY_CONFIG` (mojibake fixes only: no quote uncurling, no width
or line-break changes, no normalisation, no lossy replacements) for lines this module's own
detection leaves alone but ftfy's badness heuristic flags (Mac Roman, cp437, …), and its
result must pass the same plausibility rules as ours.

Bytes an editor strips as invisible (U+00AD soft hyphen, directional marks, joiners) count as
droppable too when the document never shows them: seed 001 lost every 0xAD as well as
cp1254's undefined bytes.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import ftfy
import ftfy.badness

from .repair_codepage import (
    CODEPAGES,
    WILDCARD,
    Segment,
    codepage,
    fill_set,
    only_controls,
    parse_run,
    segment_bytes,
    segment_candidates,
    tables,
)
from .repair_result import Finding, short
from .repair_score import (
    beyond_emoji,
    plausible,
    reads_as_prose,
    symbol_logp,
    text_score,
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
# Document analysis
# --------------------------------------------------------------------------------------------
_PLAUSIBLE_2BYTE = re.compile(r"[\u00a0-\u024f\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff]")


@dataclass
class DocContext:
    ranking: list[str]
    evidence: dict[str, float]
    established: set[str]
    invisible_absent: frozenset[str] = frozenset()


def analyse(lines: Sequence[str]) -> DocContext:
    """Rank the code pages by how many suspicious runs they explain losslessly."""
    run_re, sig_re, _ = tables()
    evidence = dict.fromkeys(CODEPAGES, 0.0)
    for line in lines:
        if not sig_re.search(line):
            continue
        for m in run_re.finditer(line):
            run = m.group()
            if not sig_re.search(run):
                continue
            for name in CODEPAGES:
                parsed = parse_run(run, codepage(name))
                if parsed is None:
                    continue
                score = 0.0
                for item in parsed:
                    if isinstance(item, int):
                        score -= 1.0
                    elif reads_as_prose(piece := run[item.start : item.end]):
                        # "é\u00a0»" in French prose proves nothing; "çš„" (的) does
                        if (
                            item.lossless
                            and "\u00a0" not in piece
                            and _common_han(segment_bytes(item))
                        ):
                            score += item.end - item.start
                        continue
                    elif not item.lossless:
                        score += 0.5 * (item.end - item.start)
                    elif item.end - item.start >= 3:
                        score += item.end - item.start
                    else:  # a 2-byte character: weak evidence unless it is classic mojibake
                        piece = run[item.start : item.end]
                        ch = segment_bytes(item).decode("utf-8")
                        if _PLAUSIBLE_2BYTE.match(ch) and ftfy.badness.is_bad(piece):
                            score += 1.0
                evidence[name] += score
    order = {n: i for i, n in enumerate(CODEPAGES)}
    ranking = sorted(CODEPAGES, key=lambda n: (-evidence[n], order[n]))
    established = {n for n in CODEPAGES if evidence[n] >= 6.0}
    present = set().union(*(set(line) for line in lines)) if lines else set()
    absent = frozenset(c for c in _INVISIBLE if c not in present)
    return DocContext(ranking, evidence, established, absent)


#: Characters some code pages give a byte to but editors strip as invisible (soft hyphen,
#: directional marks, joiners): their bytes are treated like undefined ones when a document
#: never shows them.
_INVISIBLE = frozenset("\u00ad\u200c\u200d\u200e\u200f")


# --------------------------------------------------------------------------------------------
# Edits: what one pass over a string proposes
# --------------------------------------------------------------------------------------------
@dataclass
class Edit:
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
    if not all(plausible(c) for c in decoded):
        return False  # "à\u00a0±" is U+0831 (Samaritan), "σ\u00a0²" a tag character
    cats = [unicodedata.category(c) for c in decoded]
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


def _run_fit(parsed: list[Segment | int]) -> float:
    fit = 0.0
    for item in parsed:
        if isinstance(item, int):
            fit -= 2.0
        else:
            fit += (item.end - item.start) * (1.0 if item.lossless else 0.9)
    return fit


def latin_edits(s: str, ctx: DocContext, *, allow_lossy: bool) -> list[Edit]:
    """Edits decoding UTF-8-read-as-a-code-page runs of ``s``."""
    run_re, _, leads = tables()
    edits: list[Edit] = []
    for m in run_re.finditer(s):
        run = m.group()
        if not any(c in leads for c in run):
            continue
        fits: list[tuple[float, str, list[Segment | int]]] = []
        for name in ctx.ranking:
            parsed = parse_run(run, codepage(name))
            if parsed is not None:
                fits.append((_run_fit(parsed), name, parsed))
        if not fits:
            continue
        best_fit = max(f for f, _, _ in fits)
        if best_fit <= 0:
            continue
        _, name, parsed = next(f for f in fits if f[0] == best_fit)
        tied = [n for f, n, _ in fits if f == best_fit and ctx.evidence[n] == ctx.evidence[name]]
        fill = fill_set(tied, ctx.invisible_absent)
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
                decoded = b"".join(segment_bytes(g) for g in segs).decode("utf-8")
                if _lossless_ok(original, decoded, established):
                    chars = [(base + g.start, c, ()) for g, c in zip(segs, decoded, strict=True)]
                    if not _invents_chinese(s, base + start, base + end, chars, established):
                        edits.append(Edit(base + start, base + end, "mojibake", codec, chars))
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
                    or only_controls(segment_candidates(segs[0].lead, (), segs[0].missing, fill))
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
                    whole = segment_bytes(g).decode("utf-8")
                    if not plausible(whole):
                        break  # the run is no mojibake: "Коµ‚µ" once gave a private-use char
                    chars.append((base + g.start, whole, ()))
                    continue
                cands = tuple(
                    c for c in segment_candidates(g.lead, g.conts, g.missing, fill) if plausible(c)
                )
                if not cands:
                    break
                dropped += g.missing + g.conts.count(WILDCARD)
                chars.append((base + g.start, cands[0], cands if len(cands) > 1 else ()))
            else:
                if not _invents_chinese(s, base + start, base + end, chars, established):
                    edits.append(
                        Edit(base + start, base + end, "lossy-mojibake", codec, chars, dropped)
                    )
    return edits


#: How much more likely (nats) the language model must find a decoding than the European
#: text it replaces: letters such as "ółć" or "ęś" are also what UTF-8 of Chinese looks like
#: through cp1250, and a decoding must not turn plausible Polish into unlikely Chinese.
STRONG_PREFERENCE = 10.0


def _common_han(data: bytes) -> bool:
    """Whether UTF-8 ``data`` is one common Han character (:data:`COMMON_CHINESE`)."""
    from .langmodel import is_han, load_model

    try:
        ch = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(ch) == 1 and is_han(ch) and load_model().single_logp(ch) >= COMMON_CHINESE


#: The language model's mean score per Han character (nats) a decoding of prose-looking text
#: must reach where the code page is not established mojibake.
COMMON_CHINESE = -10.0


def _invents_chinese(
    s: str,
    start: int,
    end: int,
    chars: Sequence[tuple[int, str, tuple[str, ...]]],
    established: bool,
) -> bool:
    """Whether decoding ``s[start:end]`` turns plausible prose into unlikely text.

    Text that reads as prose of a code-page script (:func:`reads_as_prose`: French
    ``é\\u00a0»``, Russian ``ай…»``, Polish ``ółć``) is decoded into characters of three or
    more UTF-8 bytes, outside a document where the code page is established mojibake, only
    into common emoji or common Chinese (:data:`COMMON_CHINESE`; ``çš„`` is 的); either way
    only when the language model prefers the decoding by :data:`STRONG_PREFERENCE` (letters
    scored by their priors, the decoding by the model, each lossy position by its best
    candidate).
    """
    original = s[start:end]
    if not reads_as_prose(original) or not any(ord(c) >= 0x800 for _, c, _ in chars):
        return False
    from .langmodel import is_han, load_model

    lm = load_model()

    def single(c: str) -> float:
        return lm.single_logp(c) if is_han(c) else symbol_logp(c, None, None)

    decoded = "".join(max(cands, key=single) if cands else c for _, c, cands in chars)
    wide = beyond_emoji(decoded)
    if not established and wide:
        # outside established mojibake, only common Chinese: 的 from çš„ (-5.3 a character),
        # 執行 from åŸ·è¡Œ, never 頻 from French é\u00a0» (-11.2) or a rare one; and nothing
        # with a no-break space, which prose puts before » and signs (på\u00a0± is 報)
        han = [c for c in wide if is_han(c)]
        if (
            len(han) < len(wide)
            or any(c in original for c in "\u00a0\u202f")
            or text_score(decoded) / len(han) < COMMON_CHINESE
        ):
            return True
    european = sum(
        symbol_logp(c, s[i - 1] if i else None, s[i + 1] if i + 1 < len(s) else None)
        for i, c in enumerate(original, start)
    )
    return text_score(decoded) < european + STRONG_PREFERENCE


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_BAD_CATEGORIES = frozenset({"Cn", "Co", "Cs", "Cc"})


def _not_chinese_mojibake(ch: str) -> bool:
    """A character no reading of UTF-8 as GBK/Big5 should give: a control, unassigned or
    private, implausible (:func:`plausible`), or a letter of a script that is neither Han,
    Latin nor kana (Chinese mojibake decodes to Han, Latin or symbols, not to Hangul)."""
    return (
        unicodedata.category(ch) in _BAD_CATEGORIES or not plausible(ch) or _other_script_letter(ch)
    )


def cjk_edit(s: str, *, narrow: bool = False) -> Edit | None:
    """An edit decoding ``s`` (a non-ASCII run) as UTF-8 that was read as GBK or Big5.

    ``narrow``: on a line where other runs were such mojibake, a run may also decode to
    letters and signs of two UTF-8 bytes only (掳 for °, 茅 for é in ``André``).
    """
    for codec in CJK_CODECS:
        try:
            decoded = s.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if decoded == s or any(_not_chinese_mojibake(c) for c in decoded):
            continue
        wide = any(ord(c) >= 0x800 for c in decoded)
        if not wide and not (
            narrow and all(c.isascii() or _PLAUSIBLE_2BYTE.match(c) for c in decoded)
        ):
            continue
        if wide and text_score(decoded) < text_score(s) + 6.0:
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
        return Edit(0, len(s), "cjk-mojibake", codec, chars)
    return None


#: Multi-byte codecs whose reading of UTF-8 is repaired even where it lost bytes: Python's GBK
#: decoder (what ``errors="replace"`` in a script, and many editors, do) writes one U+FFFD for
#: each byte it cannot decode, so each U+FFFD stands for exactly one lost byte.
CJK_LOSSY_CODECS: tuple[str, ...] = ("gbk",)
#: At most this many lost bytes in one character (each a wildcard of 64 values or more).
_MAX_GAPS_PER_CHAR = 2


def cjk_lossy_edit(s: str) -> Edit | None:
    """An edit decoding ``s``, UTF-8 read as GBK with undecodable bytes as U+FFFD.

    Each U+FFFD is one lost byte; its candidates are the bytes that make valid UTF-8 there and
    that the GBK reading would itself have rejected before the byte after it (so ``涓�`` at
    a line's end, E4 B8 and a lost byte, offers the 64 characters U+4E00-U+4E3F, and a lost
    byte before a known one only those the reading could not pair with it). The language model
    chooses among them (:mod:`llmcourse.repair_lossy`).
    """
    if "\ufffd" not in s or s.count("\ufffd") == len(s):
        return None
    for codec in CJK_LOSSY_CODECS:
        template: list[int | None] = []
        starts: list[int] = []
        try:
            for i, ch in enumerate(s):
                data = b"\x00" if ch == "\ufffd" else ch.encode(codec)
                template.extend([None] if ch == "\ufffd" else list(data))
                starts.extend([i] * len(data))
        except UnicodeEncodeError:
            continue
        lengths = _utf8_parse(template)
        if lengths is None:
            continue
        chars: list[tuple[int, str, tuple[str, ...]]] = []
        off = 0
        gaps = 0
        for n in lengths:
            piece = template[off : off + n]
            after = template[off + n] if off + n < len(template) else None
            if None in piece:
                gaps += piece.count(None)
                cands = _gap_candidates(piece, after, codec)
                if not cands:
                    break
                chars.append((starts[off], cands[0], cands if len(cands) > 1 else ()))
            else:
                ch = bytes(piece).decode("utf-8")  # type: ignore[arg-type]
                if _not_chinese_mojibake(ch):
                    break
                chars.append((starts[off], ch, ()))
            off += n
        else:
            if not any(ord(c) >= 0x800 for _, c, _ in chars):
                continue
            if text_score("".join(c for _, c, _ in chars)) < text_score(s) + 6.0:
                continue
            return Edit(0, len(s), "lossy-cjk-mojibake", codec, chars, gaps)
    return None


def _utf8_parse(template: Sequence[int | None]) -> list[int] | None:
    """Character lengths splitting ``template`` (bytes, ``None`` for a lost one) into UTF-8.

    A lost byte where a character starts is a lead byte; of several splits, one with 3-byte
    characters (Chinese) at the lost leads is preferred. ``None`` when there is no split.
    """
    n = len(template)
    memo: dict[int, list[int] | None] = {n: []}

    def cont(b: int | None) -> bool:
        return b is None or 0x80 <= b <= 0xBF

    for i in range(n - 1, -1, -1):
        b = template[i]
        if b is None:
            options = (3, 2, 4)
        elif b < 0x80:
            options = (1,)
        elif 0xC2 <= b <= 0xDF:
            options = (2,)
        elif 0xE0 <= b <= 0xEF:
            options = (3,)
        elif 0xF0 <= b <= 0xF4:
            options = (4,)
        else:
            options = ()
        memo[i] = None
        for k in options:
            if i + k <= n and all(cont(x) for x in template[i + 1 : i + k]):
                rest = memo.get(i + k)
                if rest is not None:
                    memo[i] = [k, *rest]
                    break
    return memo[0]


_LEADS = {2: range(0xC2, 0xE0), 3: range(0xE0, 0xF0), 4: range(0xF0, 0xF5)}


def _gap_candidates(piece: Sequence[int | None], after: int | None, codec: str) -> tuple[str, ...]:
    """Characters the UTF-8 bytes ``piece`` (``None`` lost) can be, best single prior first."""
    holes = [i for i, b in enumerate(piece) if b is None]
    if len(holes) > _MAX_GAPS_PER_CHAR:
        return ()
    ranges = [_LEADS[len(piece)] if i == 0 else range(0x80, 0xC0) for i in holes]
    found: list[str] = []
    for fill in itertools.product(*ranges):
        data = list(piece)
        for i, b in zip(holes, fill, strict=True):
            data[i] = b
        try:
            ch = bytes(data).decode("utf-8")  # type: ignore[arg-type]
        except UnicodeDecodeError:
            continue
        if _not_chinese_mojibake(ch):
            continue
        nexts = [*data[1:], after]
        if all(_rejected(data[i], nexts[i], codec) for i in holes):
            found.append(ch)
    from .langmodel import UNKNOWN_HAN_LOGP, is_han, load_model

    lm = load_model()
    # a Han character the model has never seen (䯀 for 浏's lost byte) is no reading to offer
    found = [c for c in found if not is_han(c) or lm.single_logp(c) > UNKNOWN_HAN_LOGP]
    return tuple(
        sorted(
            found,
            key=lambda c: -(lm.single_logp(c) if is_han(c) else symbol_logp(c, None, None)),
        )
    )


@functools.cache
def _rejected(byte: int, after: int | None, codec: str) -> bool:
    """Whether reading ``codec``, the byte ``byte`` followed by ``after`` (``None``: unknown)
    comes out as U+FFFD on its own, as a lost byte of the damaged text did."""
    if after is None:
        return any(_rejected(byte, b, codec) for b in range(0x100))
    return bytes([byte, after]).decode(codec, errors="replace")[0] == "\ufffd"


def _other_script_letter(c: str) -> bool:
    """A letter of a script that is neither Han, Latin nor kana (e.g. Hangul, Cyrillic)."""
    if not unicodedata.category(c).startswith("L") or ord(c) < 0x250:
        return False
    name = unicodedata.name(c, "")
    return not name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "LATIN", "FULLWIDTH LATIN"))


def cjk_signature(s: str) -> bool:
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


# --------------------------------------------------------------------------------------------
# Fast path and ftfy
# --------------------------------------------------------------------------------------------
def needs_work(text: str) -> bool:
    """Fast path: False when the text shows no sign of any damage this module repairs."""
    if text.isascii():
        return False
    _, sig_re, _ = tables()
    if "\ufffd" in text or sig_re.search(text):
        return True
    if any(cjk_signature(m.group()) for m in _NON_ASCII_RE.finditer(text)):
        return True
    return ftfy_suspect(text)


_RESIDUE_RE = re.compile("[\x00-\x7f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


def ftfy_suspect(text: str) -> bool:
    """ftfy's badness heuristic on what is left once ASCII and CJK text are blanked out."""
    return ftfy.badness.is_bad(_RESIDUE_RE.sub(" ", text))


_FTFY_EXPLAIN = FTFY_CONFIG._replace(explain=True)


def ftfy_fallback(source: str, lno: int, line: str) -> tuple[str, Finding] | None:
    """Let ftfy (restricted to mojibake) fix a line this module's own passes left alone.

    It covers encodings this module does not model (Mac Roman, cp437, …).
    """
    fixed = ftfy.fix_and_explain(line, config=_FTFY_EXPLAIN)
    if fixed.text == line:
        return None
    ops = difflib.SequenceMatcher(None, line, fixed.text, autojunk=False).get_opcodes()
    for op, a1, a2, b1, b2 in ops:
        if op == "equal":
            continue
        before, after = line[a1:a2], fixed.text[b1:b2]
        if not _lossless_ok(before, after, False):
            return None  # the same plausibility rules as our own decoding (no "×²" -> "ײ")
        if beyond_emoji(after) and reads_as_prose(before):
            return None  # nor letters into CJK ("ĂăĄą" -> "Ă㥹")
    start = next(i for i, (a, b) in enumerate(zip(line, fixed.text, strict=False)) if a != b)
    tail = 0
    while (
        tail < min(len(line), len(fixed.text)) - start
        and line[len(line) - 1 - tail] == fixed.text[len(fixed.text) - 1 - tail]
    ):
        tail += 1
    before, after = line[start : len(line) - tail], fixed.text[start : len(fixed.text) - tail]
    plan = ", ".join(f"{step} {arg}" for step, arg in (fixed.explanation or []))
    detail = f"{short(before)} -> {short(after)} (ftfy: {plan})"
    return fixed.text, Finding(source, lno + 1, start + 1, "mojibake", 0.95, detail)
