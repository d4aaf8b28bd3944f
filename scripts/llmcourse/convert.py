"""Convert course pages between Traditional (zh-TW) and Simplified (zh-CN) Chinese.

Each page has one Chinese source, in whichever script its author wrote; the build makes the
other script with OpenCC (``tw2sp`` / ``s2twp``) plus the project glossary in
``locales/glossary/``. Only prose changes: code, URLs, markup, math and YAML structure are
byte-identical (see :mod:`llmcourse.mdspans`).

How a text is converted:

1. the protected spans and ``-{…}-`` rule markers are found; each becomes a fixed piece;
2. the glossary and the page's ``conversion:`` table are built into OpenCC's own chain
   (:mod:`llmcourse.opencc_chain`): they join its segmentation, so at each position the longest
   word over OpenCC's phrases and ours wins (海内存知己 stays one word; 内存 alone is ours);
3. context rules pick between meanings of ambiguous terms: where OpenCC's segmentation (replayed
   in Python) finds such a term as a word and a rule's context matches, the rule's output is a
   fixed piece;
4. fixed pieces (and any private-use character already in the text) are replaced by the
   placeholder character of :mod:`llmcourse.protect`, the whole text goes through the chain in a
   single call, and the pieces are put back in order (a lost or extra placeholder is an error).
"""

from __future__ import annotations

import bisect
import contextvars
import difflib
import functools
import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import opencc
import yaml

from . import LOCALES, chinese, mdspans, mdtext, opencc_chain
from .mdspans import RuleError, Span
from .protect import Assembly, PlaceholderError

__all__ = [
    "Audit",
    "ConversionRuleError",
    "Glossary",
    "PlaceholderError",
    "ProtectedMismatch",
    "Replacement",
    "SLUG_SCRIPT",
    "audit_markdown",
    "command",
    "convert_markdown",
    "convert_notebook",
    "convert_text",
    "glossary",
    "heading_slug",
    "keep_anchors",
    "opencc_config",
    "page_rules",
    "render_source",
]

GLOSSARY_DIR = LOCALES / "glossary"
#: glossary direction -> (shipped OpenCC config, its plain character-level counterpart)
OPENCC = opencc_chain.OPENCC

#: Set to "zh-TW"/"zh-CN" while rendering a page so :func:`heading_slug` need not guess.
SLUG_SCRIPT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "SLUG_SCRIPT", default=None
)


class ConversionRuleError(ValueError):
    """A glossary file, a front-matter ``conversion:`` table or a ``-{…}-`` rule is invalid.

    The message names the file (or ``<text>``) and the key or line:col at fault.
    """


# ---------------------------------------------------------------------------------------------
# Glossary


@dataclass(frozen=True, slots=True)
class ContextRule:
    """Use ``to`` for a term when the text around it matches ``before``/``after``."""

    to: str
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None

    def applies(self, text: str, start: int, end: int) -> bool:
        """Whether the term at ``text[start:end]`` is in this rule's context."""
        if self.before is not None and not self.before.search(text[max(0, start - 40) : start]):
            return False
        if self.after is not None and not self.after.match(text[end : end + 40]):
            return False
        return True


@dataclass(frozen=True)
class Glossary:
    """The terms of one direction: fixed entries plus context-dependent rules."""

    direction: str
    entries: dict[str, str]
    context: dict[str, tuple[ContextRule, ...]] = field(default_factory=dict)

    @functools.cached_property
    def context_keys(self) -> frozenset[str]:
        """The terms with context rules."""
        return frozenset(self.context)

    def value(self, text: str, start: int, key: str) -> str | None:
        """The replacement for ``key`` found at ``start``, or ``None`` (leave it to OpenCC)."""
        for rule in self.context.get(key, ()):
            if rule.applies(text, start, start + len(key)):
                return rule.to
        return self.entries.get(key)

    def context_value(self, text: str, start: int, key: str) -> str | None:
        """The output of the first context rule of ``key`` that applies at ``start``, or None."""
        for rule in self.context.get(key, ()):
            if rule.applies(text, start, start + len(key)):
                return rule.to
        return None

    def with_rules(self, rules: Sequence[tuple[str, str]]) -> Glossary:
        """This glossary with page rules (key, value) taking precedence over its entries."""
        if not rules:
            return self
        entries = dict(self.entries)
        context = dict(self.context)
        for key, value in rules:
            entries[key] = value
            context.pop(key, None)
        return Glossary(self.direction, entries, context)


def _read_dict(path: Path, entries: dict[str, str] | None = None) -> dict[str, str]:
    """Read an OpenCC text dictionary (``key<TAB>value``; ``#`` comments, blank lines).

    With ``entries`` (earlier files), its pairs are added there; a key already there is a
    duplicate.
    """
    entries = {} if entries is None else entries
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        where = f"{path}:{lineno}"
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise ConversionRuleError(f"{where}: expected 'key<TAB>value', got {line!r}")
        key, value = parts
        if any(ch.isspace() for ch in key + value):
            raise ConversionRuleError(
                f"{where}: whitespace in {line!r} (OpenCC reads spaces as value separators)"
            )
        if key in entries:
            raise ConversionRuleError(f"{where}: duplicate key {key!r}")
        entries[key] = value
    return entries


def _read_context(path: Path, direction: str) -> dict[str, tuple[ContextRule, ...]]:
    """Read the ``direction`` section of ``context.yaml``, validating it."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConversionRuleError(f"{path}: expected a mapping of tw2cn/cn2tw sections")
    unknown = set(data) - set(OPENCC)
    if unknown:
        raise ConversionRuleError(f"{path}: unknown section(s) {sorted(unknown)}")
    section = data.get(direction) or {}
    if not isinstance(section, dict):
        raise ConversionRuleError(f"{path}: key '{direction}' must map terms to rule lists")
    out: dict[str, tuple[ContextRule, ...]] = {}
    for term, rules in section.items():
        where = f"{path}: key '{direction}.{term}'"
        if not isinstance(term, str) or not term or not isinstance(rules, list) or not rules:
            raise ConversionRuleError(f"{where}: expected a non-empty list of rules")
        parsed = []
        for i, rule in enumerate(rules):
            here = f"{where}[{i}]"
            if not isinstance(rule, dict) or not isinstance(rule.get("to"), str):
                raise ConversionRuleError(f"{here}: each rule needs 'to' (and before/after)")
            extra = set(rule) - {"to", "note", *_CONTEXT_KEYS}
            if extra:
                raise ConversionRuleError(f"{here}: unknown key(s) {sorted(extra)}")
            if not set(rule) & set(_CONTEXT_KEYS):
                raise ConversionRuleError(f"{here}: give 'before' and/or 'after' (or *_words)")
            before = _context_pattern(rule, "before", here)
            after = _context_pattern(rule, "after", here)
            parsed.append(ContextRule(rule["to"], before, after))
        out[term] = tuple(parsed)
    return out


_CONTEXT_KEYS = ("before", "after", "before_words", "after_words")


def _context_pattern(rule: dict[str, Any], side: str, here: str) -> re.Pattern[str] | None:
    """The regex of one side of a context rule, from ``side`` or from ``side_words``.

    ``before_words: [审批, 司法]`` means "right after one of these words" (a space or 的
    between allowed: 物体的质量), ``after_words`` "right before one of them" (a space allowed).
    """
    words = rule.get(f"{side}_words")
    if side in rule and words is not None:
        raise ConversionRuleError(f"{here}: give '{side}' or '{side}_words', not both")
    if words is not None:
        if (
            not isinstance(words, list)
            or not words
            or not all(isinstance(w, str) and w and not w.isspace() for w in words)
        ):
            raise ConversionRuleError(f"{here}.{side}_words: expected a list of words")
        alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
        source = f"(?:{alternatives})[ ]?的?$" if side == "before" else f"[ ]?(?:{alternatives})"
        return re.compile(source)
    if side not in rule:
        return None
    try:
        return re.compile(rule[side])
    except (re.error, TypeError) as exc:
        raise ConversionRuleError(f"{here}: bad regular expression: {exc}") from exc


@functools.cache
def glossary(direction: str) -> Glossary:
    """The project glossary for ``tw2cn`` or ``cn2tw`` (loaded once)."""
    if direction not in OPENCC:
        raise ValueError(f"unknown direction {direction!r}")
    entries = _read_dict(GLOSSARY_DIR / f"{direction}.txt")
    for batch in sorted(GLOSSARY_DIR.glob(f"*.{direction}.txt")):  # batches from sources
        _read_dict(batch, entries)
    context = _read_context(GLOSSARY_DIR / "context.yaml", direction)
    return Glossary(direction, entries, context)


@functools.cache
def _glossary_with(direction: str, rules: tuple[tuple[str, str], ...]) -> Glossary:
    return glossary(direction).with_rules(rules)


def _converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter for a shipped config name or a config path (loaded once)."""
    return opencc_chain.converter(config)


@functools.lru_cache(maxsize=64)
def _chain(direction: str, rules: tuple[tuple[str, str], ...]) -> opencc_chain.Chain:
    """The OpenCC chain of ``direction`` with page ``rules`` over the glossary built in."""
    return opencc_chain.chain(direction, (rules, tuple(glossary(direction).entries.items())))


def _check_script(to: str) -> str:
    if to not in chinese.GLOSSARY_INTO:
        raise ValueError(
            f"unknown target script {to!r}; expected one of {', '.join(chinese.SCRIPTS)}"
        )
    return chinese.GLOSSARY_INTO[to]


# ---------------------------------------------------------------------------------------------
# Project OpenCC configs (for the opencc command line)


def opencc_config(direction: str) -> Path:
    """The generated OpenCC config for ``direction``: the shipped chain with the glossary.

    ``opencc -c PATH`` converts like :func:`convert_text` except for context rules, which need
    the text around a word and live in this module (see :mod:`llmcourse.opencc_chain`).
    """
    _check_direction(direction)
    return _chain(direction, ()).config


def _check_direction(direction: str) -> str:
    if direction not in OPENCC:
        raise ValueError(f"unknown direction {direction!r}")
    return direction


# ---------------------------------------------------------------------------------------------
# Page rules (front matter) and inline rules


def page_rules(data: object, to: str, source: str = "<text>") -> tuple[tuple[str, str], ...]:
    """Validate a front matter's ``conversion:`` table; return its (from, to) pairs for ``to``.

    Schema: a list of mappings, each with exactly the keys ``zh-TW`` and ``zh-CN`` and a
    non-empty string for each. ``{zh-TW: 程式碼, zh-CN: 代码}`` makes 程式碼→代码 when converting
    to zh-CN and 代码→程式碼 when converting to zh-TW, on that page only, before the glossary.
    """
    if not isinstance(data, dict) or data.get("conversion") is None:
        return ()
    table = data["conversion"]
    if not isinstance(table, list):
        raise ConversionRuleError(
            f"{source}: front matter key 'conversion' must be a list of "
            "{zh-TW: …, zh-CN: …} mappings"
        )
    other = "zh-TW" if to == "zh-CN" else "zh-CN"
    pairs: dict[str, str] = {}
    for i, item in enumerate(table):
        where = f"{source}: front matter key 'conversion[{i}]'"
        if not isinstance(item, dict):
            raise ConversionRuleError(f"{where}: expected {{zh-TW: …, zh-CN: …}}, got {item!r}")
        unknown = sorted(str(k) for k in set(item) - set(chinese.SCRIPTS))
        if unknown:
            raise ConversionRuleError(f"{where}: unknown key(s) {unknown}; use zh-TW and zh-CN")
        for script in chinese.SCRIPTS:
            value = item.get(script)
            if not isinstance(value, str) or not value.strip():
                raise ConversionRuleError(f"{where}.{script}: missing or not a non-empty string")
        key, value = item[other], item[to]
        if pairs.get(key, value) != value:
            raise ConversionRuleError(
                f"{where}.{other}: {key!r} is already mapped to {pairs[key]!r}"
            )
        pairs[key] = value
    return tuple(pairs.items())


def _rule_output(span: Span, to: str) -> str:
    """What a ``-{…}-`` marker becomes in script ``to``."""
    if not span.variants:
        return span.inner
    if to in span.variants:
        return span.variants[to]
    # Only the other script given: convert it (markers inside are not re-read).
    (other_text,) = span.variants.values()
    return _convert_plain(other_text, to, rules=False)[0]


# ---------------------------------------------------------------------------------------------
# Conversion core


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


@dataclass
class _Result:
    output: str
    spans: list[Span]
    ranges: list[tuple[int, int, str]]
    replaced: list[tuple[int, str, str]]


def _emit_prose(
    asm: Assembly,
    text: str,
    start: int,
    end: int,
    work: _Work,
    replaced: list[tuple[int, str, str]] | None,
) -> None:
    """Prose: OpenCC's words replayed; context-rule words and forced words are fixed pieces.

    With ``replaced``, every word of ours found is recorded as (offset, source, result).
    """
    gloss, entries = work.glossary, work.chain.entries
    pos = start
    for s, e, forced in work.words(text, start, end):
        word = text[s:e]
        value = gloss.context_value(text, s, word) if word in gloss.context else None
        if value is None and forced:
            value = entries[word]
        if value is not None:
            asm.literal(text[pos:s])
            asm.fixed(value, "glossary")
            pos = e
        elif replaced is None or word not in entries:
            continue
        else:
            value = entries[word]
        if replaced is not None:
            replaced.append((s, word, value))
    asm.literal(text[pos:end])


@dataclass(frozen=True)
class _Work:
    """What converting one page needs: its chain (page rules built in) and context rules."""

    chain: opencc_chain.Chain
    glossary: Glossary

    @functools.cached_property
    def segmenter(self) -> opencc_chain.Segmenter:
        """The chain's segmentation, context terms included as words."""
        return opencc_chain.Segmenter(self.chain.segmenter.keys | self.glossary.context_keys)

    @functools.cached_property
    def _ours(self) -> opencc_chain.Segmenter:
        return opencc_chain.Segmenter(frozenset(self.chain.entries))

    def words(self, text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
        """OpenCC's words in ``text[start:end]`` as (start, end, forced).

        Maximum matching, except that a word gives way to a word of ours starting inside it and
        running past it, when that word is longer or the first is not ours (``和面`` in
        ``和面向对象``, ``合成数`` in ``合成数据``); such a word of ours is ``forced``: OpenCC
        would not find it, so it must be a fixed piece. A word of ours inside a longer word and
        not running past it (内存 in 海内存知己) is no word there.
        """
        segmenter, ours, entries = self.segmenter, self._ours, self.chain.entries
        pos = start
        forced = False
        while pos < end:
            n = segmenter.match(text, pos, end)
            if not n:
                pos += 1
                forced = False
                continue
            for inner in range(pos + 1, pos + n):
                m = ours.match(text, inner, end)
                if (
                    inner + m > pos + n
                    and (m > n or text[pos : pos + n] not in entries)
                    and segmenter.match(text, inner, end) == m
                ):
                    pos, forced = inner, True
                    break
            else:
                yield pos, pos + n, forced
                pos += n
                forced = False


@functools.lru_cache(maxsize=64)
def _work(direction: str, rules: tuple[tuple[str, str], ...]) -> _Work:
    return _Work(_chain(direction, rules), glossary(direction).with_rules(rules))


def _assemble(
    text: str, spans: list[Span], to: str, work: _Work, record: bool = False
) -> tuple[Assembly, list[tuple[int, str, str]]]:
    asm = Assembly()
    replaced: list[tuple[int, str, str]] | None = [] if record else None
    pos = 0
    for span in spans:
        if span.start > pos:
            _emit_prose(asm, text, pos, span.start, work, replaced)
        if span.is_rule:
            asm.fixed(_rule_output(span, to), "rule")
        else:
            asm.fixed(text[span.start : span.end], span.kind)
        pos = max(pos, span.end)
    if pos < len(text):
        _emit_prose(asm, text, pos, len(text), work, replaced)
    return asm, replaced or []


def _rule_error(exc: RuleError, text: str, source: str) -> ConversionRuleError:
    line, col = mdtext.line_col(text, exc.offset)
    return ConversionRuleError(f"{source}:{line}:{col}: {exc}")


def _convert_plain(
    text: str, to: str, *, rules: bool = True, record: bool = False
) -> tuple[str, _Result]:
    direction = _check_script(to)
    spans = mdspans.scan_rules(text) if rules else []
    work = _work(direction, ())
    asm, replaced = _assemble(text, spans, to, work, record)
    output, ranges = asm.finish(_converter(str(work.chain.config)).convert)
    return output, _Result(output, spans, ranges, replaced)


def _convert_md(text: str, to: str, source: str, *, record: bool = True) -> _Result:
    direction = _check_script(to)
    try:
        spans = mdspans.scan(text)
    except RuleError as exc:
        raise _rule_error(exc, text, source) from exc
    fm = mdspans.split_front_matter(text)
    rules = page_rules(fm.data, to, source) if fm is not None else ()
    work = _work(direction, rules)
    asm, replaced = _assemble(text, spans, to, work, record)
    output, ranges = asm.finish(_converter(str(work.chain.config)).convert)
    return _Result(output, spans, ranges, replaced)


def convert_text(text: str, to: str) -> str:
    """Convert a plain string (page title, nav label, site name) to ``to``.

    Glossary + OpenCC; ``-{…}-`` markers are honoured; no Markdown scanning.
    """
    try:
        return _convert_plain(text, to)[0]
    except RuleError as exc:
        raise _rule_error(exc, text, "<text>") from exc


def convert_markdown(text: str, to: str, *, source: str = "<text>") -> str:
    """Convert the prose of a Markdown page to ``to`` ("zh-CN" or "zh-TW").

    Code, URLs, markup, math, YAML keys and structure, identifier values of the front matter,
    attribute lists, HTML comments and ``-{…}-``-protected text stay byte-identical; rule markers
    are removed. A heading whose anchor would differ from the source page's (a glossary pair
    that does not round-trip) gets the source's anchor as an explicit ``{#id}``
    (:func:`keep_anchors`). ``source`` names the page in error messages.
    """
    output = _convert_md(text, to, source, record=False).output
    return keep_anchors(text, output, to, source_name=source)


def render_source(text: str, script: str, *, source: str = "<text>") -> str:
    """Render a source page in its own ``script``: apply its ``-{…}-`` rules, no OpenCC."""
    _check_script(script)
    try:
        spans = mdspans.scan(text)
    except RuleError as exc:
        raise _rule_error(exc, text, source) from exc
    out: list[str] = []
    pos = 0
    for span in spans:
        if not span.is_rule:
            continue
        out.append(text[pos : span.start])
        out.append(_rule_output(span, script))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Audit


@functools.cache
def _char_level(direction: str) -> opencc.OpenCC:
    return _converter(OPENCC[direction][1])


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


def audit_markdown(text: str, to: str, *, source: str = "<text>") -> Audit:
    """Convert ``text`` and check it: regional terms replaced, protected spans that differ.

    Replacements are glossary/page-rule matches whose result is not the plain character
    conversion of the source term. Protected spans (identifier values of the front matter
    included) are compared by re-scanning the output independently and reported at the
    source's line:col; text produced by ``-{…}-`` rules is left out of that comparison.
    """
    direction = _check_script(to)
    result = _convert_md(text, to, source)
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
    expected = [s for s in mdspans.scan(text) if not s.is_rule]
    rule_ranges = [(s, e) for s, e, kind in result.ranges if kind == "rule"]
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


# ---------------------------------------------------------------------------------------------
# Notebooks


def _json_style(nb_json: str) -> dict[str, Any]:
    """Guess json.dumps options that reproduce the notebook's formatting."""
    m = re.search(r"\n([ \t]+)\"", nb_json)
    indent: int | str | None = None
    if m:
        ws = m.group(1)
        indent = len(ws) if set(ws) == {" "} else ws
    style: dict[str, Any] = {"indent": indent, "ensure_ascii": False}
    if not any(ord(ch) > 127 for ch in nb_json) and re.search(r"\\u[0-9a-fA-F]{4}", nb_json):
        style["ensure_ascii"] = True
    if indent is None:
        style["separators"] = (", ", ": ") if re.search(r"\": ", nb_json) else (",", ":")
    return style


def convert_notebook(nb_json: str, to: str, *, source: str = "<notebook>") -> str:
    """Convert the markdown cells of a Jupyter notebook; code cells and outputs never change.

    Returns JSON text in the notebook's own formatting (indent, ASCII escaping, final newline);
    a notebook with nothing to convert is returned unchanged.
    """
    _check_script(to)
    nb = json.loads(nb_json)
    changed = False
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        # No explicit {#id}: notebook cells are rendered by nbconvert, which has no attr_list.
        converted = _convert_md(text, to, f"{source}#cell{index}", record=False).output
        if converted == text:
            continue
        changed = True
        cell["source"] = converted.splitlines(keepends=True) if isinstance(src, list) else converted
    if not changed:
        return nb_json
    out = json.dumps(nb, **_json_style(nb_json))
    return out + "\n" if nb_json.endswith("\n") else out


# ---------------------------------------------------------------------------------------------
# Anchors of generated pages


_ATX_LINE = re.compile(r"(?:[ \t>]*(?:[-*+]|\d{1,9}[.)])?[ \t]*)#{1,6}(?:[ \t]|$)")
_HEADING_ATTRS = re.compile(r"\{:?[ \t]*(?=[^{}]*\}[ \t]*$)")


def _heading_anchors(text: str) -> tuple[str, list[str], list[int]]:
    """(front matter, heading ids as the build makes them, body line index of each heading)."""
    from . import toc

    try:
        _, body, _ = mdtext.split_front_matter(text)
    except mdtext.FrontMatterError:
        body = text
    return (
        text[: len(text) - len(body)],
        toc.heading_ids(text),
        [h.line - 1 for h in mdtext.headings(body, rendered=True)],
    )


def _body_headings(text: str) -> list[str]:
    """The titles of the headings a page renders (front matter skipped)."""
    try:
        _, body, _ = mdtext.split_front_matter(text)
    except mdtext.FrontMatterError:
        body = text
    return [h.text for h in mdtext.headings(body, rendered=True)]


@functools.lru_cache(maxsize=8192)
def _title_slug(title: str, source_script: str | None) -> str:
    """The id toc gives a heading title; of the title as rendered in ``source_script``."""
    from . import toc

    if source_script is not None:
        title = render_page(title, source_script)
    return toc.title_id(title)


def _with_anchor(line: str, anchor: str) -> str:
    """A heading line with the explicit id ``anchor`` (attr_list), closing hashes kept."""
    content = line.rstrip("\r\n")
    end = content.rstrip(" \t")
    if _ATX_LINE.match(content):
        end = end.rstrip("#").rstrip(" \t") or end  # closing hashes (Python-Markdown drops them)
    head, tail = content[: len(end)], content[len(end) :] + line[len(content) :]
    attrs = _HEADING_ATTRS.search(head)
    if attrs:  # an attr list without id: the id joins it
        return f"{head[: attrs.end()]}#{anchor} {head[attrs.end() :]}{tail}"
    return f"{head} {{#{anchor}}}{tail}"


def keep_anchors(source: str, output: str, to: str, *, source_name: str = "<text>") -> str:
    """``output`` (the conversion of ``source`` to ``to``) with the source page's anchors.

    Anchors are slugs of a canonical zh-CN form (:func:`heading_slug`), so most headings get
    the same anchor in both scripts; where the glossary does not round-trip (贪婪解码 → 貪心解碼
    → 贪心解码) the converted heading gets the anchor of the source page as built (its
    ``-{…}-`` rules rendered) as an explicit ``{#id}``, so that links into the page work in both
    languages. Explicit ids change the numbering of repeated slugs (``x_1``), so this repeats
    until every heading's id is the source's.
    """
    script = "zh-TW" if to == "zh-CN" else "zh-CN"
    titles = [_body_headings(source), _body_headings(output)]
    if len(titles[0]) != len(titles[1]):  # a rule changed the page's structure: nothing to align
        return output
    if all(_title_slug(a, script) == _title_slug(b, None) for a, b in zip(*titles, strict=True)):
        return output  # the same slugs in the same order: the same anchors
    _, want, _ = _heading_anchors(render_page(source, script, source=source_name))
    front, have, rows = _heading_anchors(output)
    fixed: set[int] = set()
    while True:
        if not len(have) == len(want) == len(rows):  # a rule changed the structure
            return output
        wrong = [k for k, (a, b) in enumerate(zip(have, want, strict=True)) if a != b]
        if not wrong or fixed.issuperset(wrong):
            return output
        lines = output[len(front) :].splitlines(keepends=True)
        for k in wrong:
            if k not in fixed:
                lines[rows[k]] = _with_anchor(lines[rows[k]], want[k])
                fixed.add(k)
        output = front + "".join(lines)
        _, have, rows = _heading_anchors(output)


CLAUSE = re.compile(r"[^，。！？；：、\n（）()「」『』【】\[\]|,.!?;:]+")


def render_page(text: str, script: str, *, source: str = "<text>") -> str:
    """A source page as readers of its own ``script`` see it.

    Its ``-{…}-`` rules are applied (as ``render_source``), and the clauses a community text
    mixed in from the other script (a quoted title, a copied sentence) are converted; the
    author's own text is left exactly as written, OpenCC's regional phrases included.
    """
    text = render_source(text, script, source=source)
    other = -1 if script == "zh-TW" else 1
    out: list[str] = []
    pos = 0
    for span in [*mdspans.scan(text), None]:
        end = span.start if span is not None else len(text)
        if end > pos:
            out.append(CLAUSE.sub(lambda m: _own_script(m.group(0), script, other), text[pos:end]))
        if span is not None:
            out.append(text[max(pos, span.start) : span.end])
            pos = max(pos, span.end)
    return "".join(out)


def _own_script(clause: str, script: str, other: int) -> str:
    """A clause mostly in the other script is converted; stray characters one by one."""
    kinds = [_char_kind(ch, TAIWAN_TABLES) for ch in clause]
    n_other, n_own = kinds.count(other), kinds.count(-other)
    if n_other > n_own:
        return convert_text(clause, script)
    if n_other:
        chars = _converter("s2tw.json" if script == "zh-TW" else "tw2s.json")
        return "".join(
            chars.convert(ch) if k == other else ch for ch, k in zip(clause, kinds, strict=True)
        )
    return clause


# ---------------------------------------------------------------------------------------------
# Heading slugs


TAIWAN_TABLES = ("tw2s.json", "s2tw.json")


@functools.cache
def _char_kind(ch: str, tables: tuple[str, str] = ("t2s.json", "s2t.json")) -> int:
    """+1 for a Traditional-only character, -1 for a Simplified-only one, 0 otherwise.

    ``tables`` are the OpenCC configs (to Simplified, to Traditional) that decide it; the
    Taiwan ones keep characters such as 群 and 台 out of the Simplified-only set.
    """
    if ord(ch) < 0x2E80:
        return 0
    if _converter(tables[0]).convert(ch) != ch:
        return 1
    if _converter(tables[1]).convert(ch) != ch:
        return -1
    return 0


def _canonical(text: str) -> str:
    """The zh-CN form of a heading, whichever script it is in."""
    script = SLUG_SCRIPT.get()
    if script is None:
        score = sum(_char_kind(ch) for ch in text)
        script = "zh-CN" if score < 0 else "zh-TW"
    if script == "zh-CN":
        return _converter("t2s.json").convert(text)
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


# ---------------------------------------------------------------------------------------------
# Command line


def _read_utf8(path: Path) -> str:
    """Read a file as UTF-8; a bad byte is reported as ``path:line:col``."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise ConversionRuleError(
            f"{path}:{line}:{col}: not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        ) from exc


def command(paths: list[str], *, to: str, audit: bool, stdout: TextIO, stderr: TextIO) -> int:
    """``course.py convert --to zh-CN|zh-TW [--audit] FILE…``.

    Prints each converted file (Markdown, or the notebook JSON for ``.ipynb``) to ``stdout``,
    one after the other. With ``audit``, prints instead ``path:line:col: 源 → 目标`` for each
    regional term replaced and reports protected spans that differ on ``stderr``.
    Exit status: 0 ok, 1 a file is invalid (not UTF-8, bad rules) or the audit failed,
    2 usage error (bad --to, no file, missing file).
    """
    if to not in chinese.GLOSSARY_INTO:
        print(f"convert: --to must be {' or '.join(chinese.SCRIPTS)}, not {to!r}", file=stderr)
        return 2
    if not paths:
        print("convert: no input file given", file=stderr)
        return 2
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        for p in missing:
            print(f"convert: {p}: no such file", file=stderr)
        return 2
    status = 0
    for name in paths:
        path = Path(name)
        try:
            text = _read_utf8(path)
            if path.suffix == ".ipynb":
                status = max(status, _command_notebook(name, text, to, audit, stdout, stderr))
                continue
            if not audit:
                stdout.write(convert_markdown(text, to, source=name))
                continue
            status = max(
                status, _report(name, audit_markdown(text, to, source=name), stdout, stderr)
            )
        except (ConversionRuleError, json.JSONDecodeError) as exc:
            print(
                f"convert: {exc}"
                if isinstance(exc, ConversionRuleError)
                else f"convert: {name}:{exc.lineno}:{exc.colno}: invalid notebook JSON: {exc.msg}",
                file=stderr,
            )
            status = 1
    return status


def _report(name: str, result: Audit, stdout: TextIO, stderr: TextIO) -> int:
    for r in result.replacements:
        print(f"{name}:{r.line}:{r.col}: {r.source} → {r.result}", file=stdout)
    for warning in result.warnings:
        print(f"{name}:1:1: warning: {warning}", file=stderr)
    for m in result.protected_mismatches:
        print(f"{name}:{m.line}:{m.col}: {m.message()}", file=stderr)
    return 0 if result.ok else 1


def _command_notebook(
    name: str, text: str, to: str, audit: bool, stdout: TextIO, stderr: TextIO
) -> int:
    if not audit:
        stdout.write(convert_notebook(text, to, source=name))
        return 0
    status = 0
    for index, cell in enumerate(json.loads(text).get("cells", [])):
        if cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            cell_text = "".join(src) if isinstance(src, list) else src
            label = f"{name}#cell{index}"
            status = max(
                status, _report(label, audit_markdown(cell_text, to, source=label), stdout, stderr)
            )
    return status
