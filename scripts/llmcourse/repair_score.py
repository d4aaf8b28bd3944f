"""How likely a reading is: priors of non-Han characters, the language model's score of a text.

Han characters are scored by the Chinese language model (:mod:`llmcourse.langmodel`), every
other character by its prior in Markdown prose (punctuation, emoji, accented letters).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

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


_OPENERS = "「『【《〈“‘（"


def unmatched_openers(chars: Sequence[str]) -> str:
    """Unmatched opening brackets/quotes in ``chars``."""
    out = []
    for opener in _OPENERS:
        closer = next(c for c, o in _CLOSERS.items() if o == opener)
        if chars.count(opener) > chars.count(closer):
            out.append(opener)
    return "".join(out)


#: Punctuation and spaces that sit beside letters in prose: French « guillemets » with
#: no-break spaces, German „Anführung“, Spanish ¡…! and ¿…?, Russian «ёлочки», dashes.
PROSE_PUNCT = frozenset("«»‹›„“”‚‘’–—…·¡¿\u00a0\u202f")
#: Latin-1 signs prose writes after a no-break space (25\u00a0°C, ±\u00a05, §\u00a03,
#: ©\u00a02024). Elsewhere they are what UTF-8 of Chinese looks like through cp1252 (å¤§ for 大).
PROSE_SIGNS = frozenset("±°§©®²³¹µ½¼¾×÷¶¢£¥¤ªº")


def reads_as_prose(text: str) -> bool:
    """Whether ``text`` could be prose as written in a script the Windows code pages are made
    for (Latin, Greek, Cyrillic, Hebrew, Arabic): its letters (with combining marks) and the
    punctuation beside them, at least one letter.

    ``é\\u00a0»`` (French), ``é\\u00a0©`` (a sign after a no-break space), ``ай…»`` (Russian)
    and ``ółć`` (Polish) all read like UTF-8 through a code page; a decoding of them into
    Chinese must be more than merely possible.
    """
    letters = 0
    before = ""
    for c in text:
        sign = c in PROSE_SIGNS and before in ("\u00a0", "\u202f")
        before = c
        if sign or c in PROSE_PUNCT or unicodedata.category(c).startswith("M"):
            continue
        if not c.isalpha() or not unicodedata.name(c, "").startswith(_CODE_PAGE_SCRIPTS):
            return False
        letters += 1
    return letters > 0


_CODE_PAGE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "HEBREW", "ARABIC")


#: Where a character of three or four UTF-8 bytes decoded from mojibake may lie: Latin and
#: Greek extended letters, punctuation and symbols, CJK (radicals to unified ideographs,
#: kana and bopomofo among them), compatibility ideographs and forms, variation selectors,
#: half- and full-width forms, emoji, the CJK extensions. Letters of other scripts (Samaritan
#: ࠱, Hangul 젱, Syloti Nagri), private use and tag characters are what legit text read as
#: UTF-8 gives, never the Chinese and English of this site.
_WIDE_RANGES = (
    (0xFFFD, 0xFFFD),  # an inner layer's lost byte, peeled by the next layer
    (0x1E00, 0x1FFF),
    (0x2000, 0x2BFF),
    (0x2E80, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE00, 0xFE0F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x1F000, 0x1FAFF),
    (0x20000, 0x323AF),
)


def plausible(ch: str) -> bool:
    """Whether a decoded character is one this site's text can hold: assigned, not private use
    nor a surrogate, and from U+0800 up only in :data:`_WIDE_RANGES`."""
    if unicodedata.category(ch) in ("Cn", "Co", "Cs"):
        return False
    o = ord(ch)
    return o < 0x800 or any(low <= o <= high for low, high in _WIDE_RANGES)


def beyond_emoji(text: str) -> list[str]:
    """The characters of ``text`` of three or four UTF-8 bytes other than the widely used emoji
    (📝, 🚀; not merely anything in their planes)."""
    return [c for c in text if ord(c) >= 0x800 and c not in _EMOJI_RANK]


def is_european(text: str) -> bool:
    """Whether every character of ``text`` is a letter of the Latin script (``ółć``, ``ß``)."""
    return all(c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in text)


def text_score(s: str) -> float:
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
