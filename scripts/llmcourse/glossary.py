"""The project glossary (``locales/glossary/``) of each direction, and OpenCC's chain with it.

A direction's glossary is its dictionary (``<direction>.txt``), the batches taken from published
sources (``*.<direction>.txt``) and the context rules of ``context.yaml``; OpenCC's own chain
of that direction is built with the glossary (and a page's rules) in it
(:mod:`llmcourse.opencc_chain`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import LOCALES, chinese, opencc_chain, yamlfile

__all__ = [
    "ConversionRuleError",
    "ContextRule",
    "Glossary",
    "chain",
    "check_script",
    "glossary",
    "opencc_config",
    "read_dict",
]

GLOSSARY_DIR = LOCALES / "glossary"
#: glossary direction -> (shipped OpenCC config, its plain character-level counterpart)
OPENCC = opencc_chain.OPENCC


class ConversionRuleError(ValueError):
    """A glossary file, a front-matter ``conversion:`` table or a ``-{…}-`` rule is invalid.

    The message names the file (or ``<text>``) and the key or line:col at fault.
    """


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


def read_dict(path: Path, entries: dict[str, str] | None = None) -> dict[str, str]:
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
    data = yamlfile.read(path) or {}
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
    entries = read_dict(GLOSSARY_DIR / f"{direction}.txt")
    for batch in sorted(GLOSSARY_DIR.glob(f"*.{direction}.txt")):  # batches from sources
        read_dict(batch, entries)
    context = _read_context(GLOSSARY_DIR / "context.yaml", direction)
    return Glossary(direction, entries, context)


@functools.lru_cache(maxsize=64)
def chain(direction: str, rules: tuple[tuple[str, str], ...]) -> opencc_chain.Chain:
    """The OpenCC chain of ``direction`` with page ``rules`` over the glossary built in."""
    return opencc_chain.chain(direction, (rules, tuple(glossary(direction).entries.items())))


def check_script(to: str) -> str:
    """The glossary direction that writes script ``to`` (a ValueError for another script)."""
    if to not in chinese.GLOSSARY_INTO:
        raise ValueError(
            f"unknown target script {to!r}; expected one of {', '.join(chinese.SCRIPTS)}"
        )
    return chinese.GLOSSARY_INTO[to]


def opencc_config(direction: str) -> Path:
    """The generated OpenCC config for ``direction``: the shipped chain with the glossary.

    For the opencc command line: ``opencc -c PATH`` converts like
    :func:`llmcourse.convert.convert_text` except for context rules, which need the text around
    a word and are applied by :mod:`llmcourse.convert_core` (see :mod:`llmcourse.opencc_chain`).
    """
    _check_direction(direction)
    return chain(direction, ()).config


def _check_direction(direction: str) -> str:
    if direction not in OPENCC:
        raise ValueError(f"unknown direction {direction!r}")
    return direction
