"""The heading slug: toc's ``slugify`` (mkdocs.yml), one anchor for a heading in both scripts."""

from __future__ import annotations

import contextvars
import functools
import html
import re
import unicodedata

from . import chinese, opencc_chain
from .convert_core import convert_text

__all__ = [
    "CANONICAL",
    "PLAIN",
    "SLUG_RULES",
    "SLUG_SCRIPT",
    "TAIWAN",
    "char_script",
    "heading_slug",
]

#: Set to "zh-TW"/"zh-CN" while rendering a page so :func:`heading_slug` need not guess.
SLUG_SCRIPT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "SLUG_SCRIPT", default=None
)
#: A page's own (from, to) pairs into :data:`CANONICAL` while it is rendered: its headings are
#: brought to the canonical form as its text is converted (a notebook's metadata table,
#: :func:`llmcourse.notebook_html.slug_context`; a Markdown page's generated headings carry
#: their source's ids instead).
SLUG_RULES: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "SLUG_RULES", default=()
)


def _by_script(configs: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(script, OpenCC config that writes a character in it), in llmcourse.chinese's order."""
    return tuple((script, configs[script]) for script in chinese.SCRIPTS)


#: The Taiwan character configs of :mod:`llmcourse.chinese` (s2tw, tw2s): which characters of a
#: community text are the other script's (群 and 台 are then both scripts').
TAIWAN = _by_script(chinese.CHARS_INTO)
#: The plain character-level configs of the chains (:data:`llmcourse.opencc_chain.OPENCC`:
#: s2t, t2s): how :func:`heading_slug` reads a heading's script, as every anchor was made.
PLAIN = _by_script(
    {script: opencc_chain.OPENCC[d][1] for script, d in chinese.GLOSSARY_INTO.items()}
)
#: The script whose form of a heading gives its slug, in either script.
CANONICAL = "zh-CN"


@functools.cache
@functools.lru_cache(maxsize=8192)  # a heading's characters, over and over
def char_script(ch: str, configs: tuple[tuple[str, str], ...] = PLAIN) -> str | None:
    """The script ``ch`` is written only in, or None (a character of both, or not Han).

    ``configs`` (:data:`TAIWAN` or :data:`PLAIN`) give the OpenCC config that writes a character
    in each script: ``ch`` is a script's when the config of the other script changes it. When
    both would (豈, 僞), it is the first script's (scripts.yaml's order: zh-TW).
    """
    if not any(a <= ord(ch) < b for a, b in chinese.CJK_RANGES):
        return None  # OpenCC's character configs change nothing else (tests/test_convert.py)
    into = dict(configs)
    for script, _ in configs:
        if ch in opencc_chain.char_changes(into[chinese.other(script)]):
            return script
    return None


def _canonical(text: str) -> str:
    """The :data:`CANONICAL` (zh-CN) form of a heading, whichever script it is in."""
    script = SLUG_SCRIPT.get()
    if script is None:
        scripts = [char_script(ch) for ch in text]
        other = chinese.other(CANONICAL)
        script = CANONICAL if scripts.count(CANONICAL) > scripts.count(other) else other
    if script == CANONICAL:
        return opencc_chain.converter(dict(PLAIN)[CANONICAL]).convert(text)
    return convert_text(text, CANONICAL, SLUG_RULES.get())


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
