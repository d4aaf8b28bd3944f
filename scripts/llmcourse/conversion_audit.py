"""The conversion audit: regional terms a conversion replaced, protected spans it changed."""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import opencc

from . import mdspans, opencc_chain
from .anchors import keep_anchors
from .convert_core import convert_md
from .glossary import OPENCC, check_script
from .mdspans import RuleError, Span

__all__ = ["Audit", "ProtectedMismatch", "Replacement", "audit_markdown"]


@dataclass(frozen=True, slots=True)
class Replacement:
    """A glossary term replaced: 1-based line/col in the input, source and result terms."""

    line: int
    col: int
    source: str
    result: str


@dataclass(frozen=True, slots=True)
class ProtectedMismatch:
    """A protected span whose text differs between input (line/col) and output."""

    line: int
    col: int
    kind: str
    expected: str
    actual: str | None

    def message(self) -> str:
        """Human-readable description."""
        if self.actual is None:
            return f"protected {self.kind} {self.expected!r} is missing from the output"
        return f"protected {self.kind} changed: {self.expected!r} -> {self.actual!r}"


@dataclass(frozen=True)
class Audit:
    """What a conversion did: regional terms replaced and protected spans that differ.

    ``warnings`` notes what was left alone on purpose (e.g. front matter that is not YAML).
    """

    output: str
    replacements: list[Replacement]
    protected_mismatches: list[ProtectedMismatch]
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The audit passes when every protected span is byte-identical."""
        return not self.protected_mismatches


@functools.cache
def _char_level(direction: str) -> opencc.OpenCC:
    return opencc_chain.converter(OPENCC[direction][1])


#: Above this many (input spans x output spans) left after trimming the common ends, the audit
#: pairs differing spans in order instead of running difflib, which is quadratic.
_DIFF_CELLS = 4_000_000


def _locator(text: str) -> Callable[[int], tuple[int, int]]:
    """A function from an offset in ``text`` to its 1-based (line, col), O(log lines) a call."""
    newlines = [m.start() for m in re.finditer("\n", text)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(newlines, offset)
        start = newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    return where


def _opcodes(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[str, int, int, int, int]]:
    """The differing blocks between ``a`` and ``b`` (difflib opcodes without ``equal``).

    The common prefix and suffix are skipped first, so identical lists cost linear time; a
    large differing middle is paired in order rather than given to difflib.
    """
    n = min(len(a), len(b))
    lo = 0
    while lo < n and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < n - lo and a[len(a) - 1 - hi] == b[len(b) - 1 - hi]:
        hi += 1
    a_end, b_end = len(a) - hi, len(b) - hi
    if lo == a_end and lo == b_end:
        return []
    if (a_end - lo) * (b_end - lo) <= _DIFF_CELLS:
        matcher = difflib.SequenceMatcher(None, a[lo:a_end], b[lo:b_end], autojunk=False)
        return [
            (tag, i1 + lo, i2 + lo, j1 + lo, j2 + lo)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]
    paired = min(a_end, b_end) - lo
    ops = [("replace", k, k + 1, k, k + 1) for k in range(lo, lo + paired) if a[k] != b[k]]
    if a_end > lo + paired:
        ops.append(("delete", lo + paired, a_end, b_end, b_end))
    if b_end > lo + paired:
        ops.append(("insert", a_end, a_end, lo + paired, b_end))
    return ops


def audit_markdown(
    text: str, to: str, *, source: str = "<text>", rules: tuple[tuple[str, str], ...] = ()
) -> Audit:
    """Convert ``text`` and check it: regional terms replaced, protected spans that differ.

    Replacements are glossary/page-rule matches whose result is not the plain character
    conversion of the source term. Protected spans (identifier values of the front matter
    included) are compared by re-scanning the output independently and reported at the
    source's line:col; text produced by ``-{…}-`` rules is left out of that comparison.
    ``rules``: a notebook's own table (:func:`llmcourse.rules.notebook_rules`).
    """
    direction = check_script(to)
    result = convert_md(text, to, source, rules=rules)
    chars = _char_level(direction)
    where = _locator(text)
    plain: dict[str, str] = {}
    replacements = []
    for off, src, dst in result.replaced:
        if src not in plain:
            plain[src] = chars.convert(src)
        if plain[src] != dst:
            replacements.append(Replacement(*where(off), src, dst))
    # The source's spans from a scan of its own, not the converter's: a span the converter
    # failed to protect is then reported as changed, at its place in the source.
    # rules and shortcut references are written anew (their output is checked by the tests)
    expected = [s for s in mdspans.scan(text) if not s.rewritten]
    rule_ranges = [(s, e) for s, e, kind in result.ranges if kind in mdspans.REWRITTEN]
    rule_starts = [s for s, _ in rule_ranges]

    def in_rule_output(span: Span) -> bool:
        i = bisect.bisect_right(rule_starts, span.start) - 1
        return i >= 0 and span.end <= rule_ranges[i][1]

    try:
        out_spans = mdspans.scan(result.output)
    except RuleError:
        out_spans = []
    actual = [s for s in out_spans if not s.is_rule and not in_rule_output(s)]
    a_keys = [(s.kind, text[s.start : s.end]) for s in expected]
    b_keys = [(s.kind, result.output[s.start : s.end]) for s in actual]
    mismatches: list[ProtectedMismatch] = []
    where_out = _locator(result.output) if a_keys != b_keys else where
    for tag, i1, i2, j1, j2 in _opcodes(a_keys, b_keys):
        for k in range(i1, i2):
            span = expected[k]
            other = j1 + (k - i1)
            got = b_keys[other][1] if tag == "replace" and other < j2 else None
            mismatches.append(ProtectedMismatch(*where(span.start), span.kind, a_keys[k][1], got))
        if tag == "insert":
            for k in range(j1, j2):
                span = actual[k]
                mismatches.append(
                    ProtectedMismatch(*where_out(span.start), span.kind, "", b_keys[k][1])
                )
    warnings = []
    fm = mdspans.split_front_matter(text)
    if fm is not None and fm.error:
        reason = fm.error.splitlines()[0]
        warnings.append(f"front matter is not valid YAML and was left unconverted ({reason})")
    # Explicit ids for the source's anchors are added after the comparison: they are not
    # protected text of the source but the one deliberate addition to the page.
    output = keep_anchors(text, result.output, to, source_name=source)
    return Audit(output, replacements, mismatches, warnings)
