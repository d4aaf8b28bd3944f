"""A file's encoding told from its bytes (BOM, UTF-8, UTF-16, GBK, Big5), never guessed.

Bytes valid as both GBK and Big5 are decided by the Chinese language model only when one
reading is clearly more likely; otherwise :class:`EncodingAmbiguous` is raised, naming the file
and the encodings that fit.  Bytes that read as plausible European text (Latin-1
``Grüße aus München`` is valid GB18030 too) stand as Chinese only when the model strongly
prefers it (:data:`AMBIGUITY_MARGIN`).  A GBK or Big5 reading must read as Chinese
(:data:`LIKELY_PER_CHAR`): Japanese, Korean or UTF-8 with a stray byte that merely decode are
refused.  Bytes no supported encoding accepts raise :class:`UndecodableBytes` naming
``file:line:col``.
"""

from __future__ import annotations

import math
import re

from .repair_result import Decoded, EncodingAmbiguous, Finding, UndecodableBytes, short
from .repair_score import is_european, text_score


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
                # a file saved twice with a BOM starts with two: neither is text
                repeated = len(text) - len(text.lstrip("\ufeff"))
                text = text[repeated:]
                what = (
                    f"{repeated + 1} UTF-8 byte order marks"
                    if repeated
                    else "UTF-8 byte order mark"
                )
                f = Finding(source, 1, 1, "bom", 1.0, f"{what} removed")
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
                f"({short(_first_non_ascii_line(european[1]))}): convert the file to UTF-8 "
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
    unlikely = {enc: text for enc, text in fits.items() if not _likely_chinese(text)}
    if len(unlikely) == len(fits):
        # Japanese or Korean bytes, or UTF-8 with a stray byte, that happen to decode as GBK
        line, col = _byte_position(data, utf8_error.start, "utf-8")
        readings = ", ".join(
            f"{enc.upper()} ({short(_first_non_ascii_line(text))})" for enc, text in fits.items()
        )
        raise UndecodableBytes(
            source,
            line,
            col,
            "utf-8",
            f"{utf8_error.reason}; the bytes read as unlikely Chinese in {readings}: convert the "
            "file to UTF-8 naming its encoding (or remove the stray byte)",
        )
    for enc in unlikely:
        del fits[enc]
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
    s1, s2 = text_score(t1), text_score(t2)
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


#: The Chinese language model's mean score (nats per non-ASCII character) a GBK or Big5 reading
#: must reach: Chinese prose scores about -5; Japanese Shift_JIS or EUC-JP, Korean EUC-KR and
#: UTF-8 with one stray byte read as GBK score -12 to -19 (their readings are rare characters).
#: Under six characters the mean is noisier (乾隆 -9.3, 爱订 -9.5; Greek read as GBK -12.8).
LIKELY_PER_CHAR = -9.0
LIKELY_PER_CHAR_SHORT = -10.5


def _likely_chinese(text: str) -> bool:
    """Whether a CJK reading reads as Chinese: its mean score, and kana at most now and then
    (Thai in TIS-620 read as GBK gives 是咽凑っ押). One character is too short to tell."""
    chars = [c for c in text if not c.isascii()]
    if len(chars) < 2:
        return True
    if sum(1 for c in chars if "\u3040" <= c <= "\u30ff") >= 0.1 * len(chars):
        return False
    limit = LIKELY_PER_CHAR if len(chars) >= 6 else LIKELY_PER_CHAR_SHORT
    return text_score(text) / len(chars) >= limit


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
        if all(c.isascii() or c in _EUROPEAN_PUNCT or is_european(c) for c in text) and all(
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
    eur = text_score(text)
    n = max(1, sum(1 for c in text if not c.isascii()))
    for enc, cjk in fits.items():
        margin = text_score(cjk) - eur
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
            f"as {name.upper()} the bytes read as European text ({short(sample)}), as "
            f"{enc.upper()} as unlikely Chinese ({short(_first_non_ascii_line(cjk))}); {verdict}",
            line,
            col,
        )
