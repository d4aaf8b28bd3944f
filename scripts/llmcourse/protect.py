"""Placeholders that keep fixed pieces of a text (code, rules, glossary outputs) out of OpenCC."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["PLACEHOLDER", "UNSAFE", "Assembly", "PlaceholderError"]

#: The one placeholder character. Every fixed piece becomes this same character, and the pieces
#: are put back in order: OpenCC maps text piece by piece and never reorders it, so the k-th
#: placeholder of its output is the k-th piece. No counter is encoded, so the placeholders cannot
#: run out, however many pieces a page has.
PLACEHOLDER = "\U000f0000"

#: Characters that never reach OpenCC; each run of them is a fixed piece, put back unchanged:
#: every private-use character (U+E000-U+F8FF and planes 15-16, which hold the placeholder, so
#: text containing it can never be mistaken for one), NUL (OpenCC reads a C string: it would drop
#: the rest of the text) and lone surrogates (not encodable as UTF-8).
UNSAFE = re.compile("[\x00\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]+")


class PlaceholderError(RuntimeError):
    """The converter did not return exactly one placeholder per fixed piece.

    This is a bug, not bad input: the output would be corrupted, so nothing is returned.
    """


class Assembly:
    """Text for a converter with its fixed pieces swapped for :data:`PLACEHOLDER`.

    Building it and :meth:`finish` take time and memory linear in the text: pieces are collected
    in lists and joined once; the converter runs once over the whole text.
    """

    __slots__ = ("kinds", "outputs", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.outputs: list[str] = []
        self.kinds: list[str] = []

    def literal(self, text: str) -> None:
        """Text the converter converts (its :data:`UNSAFE` characters are kept as they are)."""
        if not text:
            return
        pos = 0
        for m in UNSAFE.finditer(text):
            if m.start() > pos:
                self.parts.append(text[pos : m.start()])
            self.fixed(m.group(), "literal")
            pos = m.end()
        if pos < len(text):
            self.parts.append(text[pos:] if pos else text)

    def fixed(self, output: str, kind: str) -> None:
        """A piece whose output is ``output`` exactly; ``kind`` labels its output range."""
        self.parts.append(PLACEHOLDER)
        self.outputs.append(output)
        self.kinds.append(kind)

    def finish(self, convert: Callable[[str], str]) -> tuple[str, list[tuple[int, int, str]]]:
        """The converted text and the output ranges of the fixed pieces (start, end, kind).

        Raises :class:`PlaceholderError` if ``convert`` lost, added or merged a placeholder.
        """
        work = "".join(self.parts)
        converted = convert(work) if work else ""
        chunks = converted.split(PLACEHOLDER)
        if len(chunks) != len(self.outputs) + 1:
            raise PlaceholderError(
                f"the converter returned {len(chunks) - 1} placeholders for "
                f"{len(self.outputs)} protected pieces; refusing to build a corrupted page"
            )
        out: list[str] = [chunks[0]]
        ranges: list[tuple[int, int, str]] = []
        length = len(chunks[0])
        for piece, kind, chunk in zip(self.outputs, self.kinds, chunks[1:], strict=True):
            ranges.append((length, length + len(piece), kind))
            out.append(piece)
            out.append(chunk)
            length += len(piece) + len(chunk)
        return "".join(out), ranges
