"""The heading slug: toc's ``slugify`` (mkdocs.yml), one anchor for a heading in both scripts."""

from __future__ import annotations

import contextvars
import functools
import html
import re
import unicodedata

from . import opencc_chain
from .convert_core import convert_text

__all__ = ["SLUG_SCRIPT", "TAIWAN_TABLES", "char_kind", "heading_slug"]

#: Set to "zh-TW"/"zh-CN" while rendering a page so :func:`heading_slug` need not guess.
SLUG_SCRIPT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "SLUG_SCRIPT", default=None
)


TAIWAN_TABLES = ("tw2s.json", "s2tw.json")


@functools.cache
def char_kind(ch: str, tables: tuple[str, str] = ("t2s.json", "s2t.json")) -> int:
    """+1 for a Traditional-only character, -1 for a Simplified-only one, 0 otherwise.

    ``tables`` are the OpenCC configs (to Simplified, to Traditional) that decide it; the
    Taiwan ones keep characters such as 群 and 台 out of the Simplified-only set.
    """
    if ord(ch) < 0x2E80:
        return 0
    if opencc_chain.converter(tables[0]).convert(ch) != ch:
        return 1
    if opencc_chain.converter(tables[1]).convert(ch) != ch:
        return -1
    return 0


def _canonical(text: str) -> str:
    """The zh-CN form of a heading, whichever script it is in."""
    script = SLUG_SCRIPT.get()
    if script is None:
        score = sum(char_kind(ch) for ch in text)
        script = "zh-CN" if score < 0 else "zh-TW"
    if script == "zh-CN":
        return opencc_chain.converter("t2s.json").convert(text)
    return convert_text(text, "zh-CN")


_TAGS = re.compile(r"<[^>]*>")
_NOT_SLUG = re.compile(r"[^\w\s-]")


def heading_slug(value: str, separator: str = "-") -> str:
    """Slugify for Python-Markdown's toc: the same anchor for a heading in zh-TW and zh-CN.

    The heading is brought to a canonical zh-CN form (glossary + OpenCC for Traditional or
    script-neutral text, character-level only for Simplified text; set :data:`SLUG_SCRIPT` to
    skip the guess), then lowercased with punctuation removed; ASCII and CJK are kept.
    """
    text = html.unescape(_TAGS.sub("", value))
    text = unicodedata.normalize("NFKC", _canonical(text)).lower()
    text = _NOT_SLUG.sub("", text).strip()
    return re.sub(rf"[{re.escape(separator)}\s]+", separator, text)
