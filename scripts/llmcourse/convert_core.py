"""The conversion engine: a text's prose through the glossary and OpenCC, its markup kept.

Each page has one Chinese source, in whichever script its author wrote; the build makes the
other script with OpenCC (``tw2sp`` / ``s2twp``) plus the project glossary in
``locales/glossary/`` (:mod:`llmcourse.glossary`). Only prose changes: code, URLs, markup and
YAML structure are byte-identical (see :mod:`llmcourse.mdspans`).

How a text is converted:

1. the protected spans and ``-{…}-`` rule markers are found; each becomes a fixed piece;
2. the glossary and the page's ``conversion:`` table (:mod:`llmcourse.rules`) are built into
   OpenCC's own chain (:mod:`llmcourse.opencc_chain`): they join its segmentation, so at each
   position the longest word over OpenCC's phrases and ours wins (海内存知己 stays one word;
   内存 alone is ours);
3. context rules pick between meanings of ambiguous terms: where OpenCC's segmentation (replayed
   in Python) finds such a term as a word and a rule's context matches, the rule's output is a
   fixed piece;
4. fixed pieces (and any private-use character already in the text) are replaced by the
   placeholder character of :mod:`llmcourse.protect`, the whole text goes through the chain in a
   single call, and the pieces are put back in order (a lost or extra placeholder is an error).

A page's anchors are kept by :mod:`llmcourse.anchors`; :mod:`llmcourse.convert` has the entry
points.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from . import mdspans, opencc_chain
from .glossary import Glossary, chain, check_script, glossary
from .mdspans import RuleError, Span
from .protect import Assembly
from .rules import page_rules, rule_error

__all__ = ["Result", "convert_md", "convert_text", "render_source"]


def _rule_output(span: Span, to: str) -> str:
    """What a ``-{…}-`` marker becomes in script ``to``."""
    if not span.variants:
        return span.inner
    if to in span.variants:
        return span.variants[to]
    # Only the other script given: convert it (markers inside are not re-read).
    (other_text,) = span.variants.values()
    return _convert_plain(other_text, to, rules=False)[0]


@dataclass
class Result:
    """A converted text: its output, the spans of its source, the pieces' output ranges and
    (when recorded) the glossary words replaced as (offset, source, result)."""

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
    body: int = 0,
) -> None:
    """Prose: OpenCC's words replayed; context-rule words and forced words are fixed pieces.

    A paragraph's soft line breaks between Han characters after ``body`` (where the page's
    front matter ends; :func:`llmcourse.mdspans.soft_breaks`) are read through, as Markdown
    joins the lines: a word written across one (``程式\n碼``) is converted whole, and the break
    stays inside its converted text, as far into it as it was into the source word
    (``代\n码``), so that no line is left empty and no markup starts a line. With
    ``replaced``, every word of ours found is recorded as (offset, source, result).
    """
    gloss, entries = work.glossary, work.chain.entries
    line, where = _joined(text, start, end, body)
    pos = start
    for s, e, forced in work.words(line, *((start, end) if where is None else (0, len(line)))):
        word = line[s:e]
        at, to = (s, e) if where is None else (where[s], where[e - 1] + 1)
        value = gloss.context_value(line, s, word) if word in gloss.context else None
        if value is None and forced:
            value = entries[word]
        if to - at != e - s:  # across a soft line break
            assert where is not None
            if value is None:
                value = entries.get(word) or work.chain.converter().convert(word)
            breaks = sum(where[k] != where[k - 1] + 1 for k in range(s + 1, e))
            if len(value) <= breaks:  # too short to hold its breaks: left to OpenCC, apart
                continue
            asm.literal(text[pos:at])
            asm.fixed(_broken_as(value, text, where[s:e]), "glossary")
            pos = to
        elif value is not None:
            asm.literal(text[pos:at])
            asm.fixed(value, "glossary")
            pos = to
        elif replaced is None or word not in entries:
            continue
        else:
            value = entries[word]
        if replaced is not None:
            replaced.append((at, word, value))
    asm.literal(text[pos:end])


def _joined(text: str, start: int, end: int, body: int) -> tuple[str, list[int] | None]:
    """``text[start:end]`` with its soft line breaks between Han characters taken out, and the
    offset in ``text`` of each character left; ``(text, None)`` when it has none."""
    cuts = mdspans.soft_breaks(text, max(start, body), end)
    if not cuts:
        return text, None
    parts: list[str] = []
    where: list[int] = []
    pos = start
    for cut_start, cut_end in [*cuts, (end, end)]:
        parts.append(text[pos:cut_start])
        where.extend(range(pos, cut_start))
        pos = cut_end
    return "".join(parts), where


def _broken_as(value: str, text: str, offsets: list[int]) -> str:
    """``value``, the conversion of the word whose characters stand at ``offsets`` of ``text``,
    with the soft breaks between them put back as far into it as they were into the word, each
    piece at least one character (``value`` has more characters than the word has breaks)."""
    gaps = [i for i in range(1, len(offsets)) if offsets[i] != offsets[i - 1] + 1]
    out, pos = [], 0
    for k, i in enumerate(gaps):
        room = len(value) - (len(gaps) - k)  # a character for each piece after this one
        cut = min(max(round(len(value) * i / len(offsets)), pos + 1), room)
        out += [value[pos:cut], text[offsets[i - 1] + 1 : offsets[i]]]
        pos = cut
    out.append(value[pos:])
    return "".join(out)


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
    return _Work(chain(direction, rules), glossary(direction).with_rules(rules))


def _assemble(
    text: str, spans: list[Span], to: str, work: _Work, record: bool = False, body: int = 0
) -> tuple[Assembly, list[tuple[int, str, str]]]:
    asm = Assembly()
    replaced: list[tuple[int, str, str]] | None = [] if record else None
    pos = 0
    for span in spans:
        if span.start > pos:
            _emit_prose(asm, text, pos, span.start, work, replaced, body)
        if span.is_rule:
            asm.fixed(_rule_output(span, to), "rule")
        elif span.kind == "ref-text":
            label, _ = _assemble(span.inner, [], to, work)
            text_out, _ = label.finish(work.chain.converter().convert)
            same = text_out == span.inner
            asm.fixed(
                text[span.start : span.end] if same else f"[{text_out}][{span.inner}]", "ref-text"
            )
        else:
            asm.fixed(text[span.start : span.end], span.kind)
        pos = max(pos, span.end)
    if pos < len(text):
        _emit_prose(asm, text, pos, len(text), work, replaced, body)
    return asm, replaced or []


def _convert_plain(
    text: str,
    to: str,
    *,
    rules: bool = True,
    record: bool = False,
    page_rules: tuple[tuple[str, str], ...] = (),
) -> tuple[str, Result]:
    direction = check_script(to)
    spans = mdspans.scan_rules(text) if rules else []
    work = _work(direction, page_rules)
    asm, replaced = _assemble(text, spans, to, work, record)
    output, ranges = asm.finish(work.chain.converter().convert)
    return output, Result(output, spans, ranges, replaced)


def convert_md(
    text: str,
    to: str,
    source: str,
    *,
    record: bool = True,
    rules: tuple[tuple[str, str], ...] = (),
) -> Result:
    """Convert a Markdown text to ``to`` (no explicit anchors added: see
    :func:`llmcourse.convert.convert_markdown`); ``record`` the glossary words replaced.
    ``rules``: a page's own (from, to) pairs given from elsewhere than the text's front matter
    (a notebook's metadata, :func:`llmcourse.rules.notebook_rules`)."""
    direction = check_script(to)
    try:
        spans = mdspans.scan(text)
    except RuleError as exc:
        raise rule_error(exc, text, source) from exc
    fm = mdspans.split_front_matter(text)
    if fm is not None:
        rules = page_rules(fm.data, to, source) + rules
    work = _work(direction, rules)
    asm, replaced = _assemble(text, spans, to, work, record, 0 if fm is None else fm.end)
    output, ranges = asm.finish(work.chain.converter().convert)
    return Result(output, spans, ranges, replaced)


def convert_text(text: str, to: str, page_rules: tuple[tuple[str, str], ...] = ()) -> str:
    """Convert a plain string (page title, nav label, site name) to ``to``.

    Glossary + OpenCC (and a page's own (from, to) pairs); ``-{…}-`` markers are honoured;
    no Markdown scanning.
    """
    try:
        return _convert_plain(text, to, page_rules=page_rules)[0]
    except RuleError as exc:
        raise rule_error(exc, text, "<text>") from exc


def render_source(text: str, script: str, *, source: str = "<text>") -> str:
    """Render a source page in its own ``script``: apply its ``-{…}-`` rules, no OpenCC."""
    check_script(script)
    try:
        spans = mdspans.scan(text)
    except RuleError as exc:
        raise rule_error(exc, text, source) from exc
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
