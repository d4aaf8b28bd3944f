"""Anchors of generated pages: a source page as its readers see it, and its anchors kept."""

from __future__ import annotations

import functools
import re

from . import chinese, mdspans, mdtext, opencc_chain
from .convert_core import convert_text, render_source
from .slug import TAIWAN, char_script

__all__ = ["CLAUSE", "keep_anchors", "render_page"]


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
    if _ATX_LINE.match(content) and end == content:
        # closing hashes: Python-Markdown drops them, but only when they end the line (after
        # "## 標題 ## " they are title, and the id must come last)
        end = end.rstrip("#").rstrip(" \t") or end
    head, tail = content[: len(end)], content[len(end) :] + line[len(content) :]
    attrs = _HEADING_ATTRS.search(head)
    if attrs:  # an attr list without id: the id joins it
        return f"{head[: attrs.end()]}#{anchor} {head[attrs.end() :]}{tail}"
    return f"{head} {{#{anchor}}}{tail}"


def keep_anchors(source: str, output: str, to: str, *, source_name: str = "<text>") -> str:
    """``output`` (the conversion of ``source`` to ``to``) with the source page's anchors.

    Anchors are slugs of a canonical zh-CN form (:func:`llmcourse.slug.heading_slug`), so most
    headings get the same anchor in both scripts; where the glossary does not round-trip
    (贪婪解码 → 貪心解碼 → 贪心解码) the converted heading gets the anchor of the source page as
    built (its ``-{…}-`` rules rendered) as an explicit ``{#id}``, so that links into the page
    work in both languages. Explicit ids change the numbering of repeated slugs (``x_1``), so
    this repeats until every heading's id is the source's.
    """
    script = chinese.other(to)
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
    other = chinese.other(script)
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


def _own_script(clause: str, script: str, other: str) -> str:
    """A clause mostly in the ``other`` script is converted; stray characters one by one."""
    scripts = [char_script(ch, TAIWAN) for ch in clause]
    n_other, n_own = scripts.count(other), scripts.count(script)
    if n_other > n_own:
        return convert_text(clause, script)
    if n_other:
        chars = opencc_chain.converter(chinese.CHARS_INTO[script])
        return "".join(
            chars.convert(ch) if s == other else ch for ch, s in zip(clause, scripts, strict=True)
        )
    return clause
