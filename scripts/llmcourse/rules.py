"""A page's own conversion rules: its front matter's ``conversion:`` table (a notebook's:
its metadata's ``llmcourse.conversion``), bad ``-{…}-`` rules.

The ``-{…}-`` rules themselves are read by :mod:`llmcourse.mdspans` and applied by
:mod:`llmcourse.convert_core`.
"""

from __future__ import annotations

import re

from . import chinese, mdspans, mdtext
from .glossary import ConversionRuleError
from .mdspans import RuleError

__all__ = ["TableError", "notebook_rules", "page_rules", "rule_error", "table_place"]

#: Not in a conversion table's words, which go into the page's text as they are: markup (HTML,
#: an entity, Markdown's emphasis, code, links and tables, a ``-{…}-`` rule) or a control
#: character (a line break among them).
MARKUP = re.compile(r"[<>&`*_\[\]{}|\\\x00-\x1f\x7f]")


def page_rules(data: object, to: str, source: str = "<text>") -> tuple[tuple[str, str], ...]:
    """Validate a front matter's ``conversion:`` table; return its (from, to) pairs for ``to``.

    Schema: a list of mappings, each with exactly the keys ``zh-TW`` and ``zh-CN`` and a
    non-empty string without markup (MARKUP) for each. ``{zh-TW: 程式碼, zh-CN: 代码}`` makes
    程式碼→代码 when converting to zh-CN and 代码→程式碼 when converting to zh-TW, on that page
    only, before the glossary.
    """
    if not isinstance(data, dict) or data.get("conversion") is None:
        return ()
    return _table(data["conversion"], to, f"{source}: front matter key 'conversion")


def notebook_rules(notebook: object, to: str, source: str) -> tuple[tuple[str, str], ...]:
    """A notebook's own table: its metadata's ``{"llmcourse": {"conversion": [...]}}``, with
    the schema of :func:`page_rules`, for every Markdown cell. Notebooks have no front matter,
    and an inline ``-{…}-`` rule would show as it is where the notebook opens elsewhere
    (Colab, JupyterLab); the metadata shows nowhere."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    ours = metadata.get("llmcourse") if isinstance(metadata, dict) else None
    if ours is None:
        return ()
    if not isinstance(ours, dict):
        raise ConversionRuleError(f"{source}: notebook metadata key 'llmcourse' must be a mapping")
    if ours.get("conversion") is None:
        return ()
    return _table(ours["conversion"], to, f"{source}: notebook metadata key 'llmcourse.conversion")


#: The longest word or phrase a conversion table may map: a value of thousands of characters
#: for a one-character key multiplied a page's size (69 KB of source, 180 MB of page).
MAX_WORD = 40


def _table(table: object, to: str, name: str) -> tuple[tuple[str, str], ...]:
    """The (from, to) pairs for ``to`` of a ``conversion`` table; ``name`` names it in errors
    (up to its closing quote)."""
    if not isinstance(table, list):
        raise TableError(f"{name}' must be a list of {{zh-TW: …, zh-CN: …}} mappings")
    other = chinese.other(to)
    pairs: dict[str, str] = {}
    for i, item in enumerate(table):
        where = f"{name}[{i}]'"
        if not isinstance(item, dict):
            raise TableError(f"{where}: expected {{zh-TW: …, zh-CN: …}}, got {item!r}", i)
        unknown = sorted(str(k) for k in set(item) - set(chinese.SCRIPTS))
        if unknown:
            raise TableError(f"{where}: unknown key(s) {unknown}; use zh-TW and zh-CN", i)
        for script in chinese.SCRIPTS:
            value = item.get(script)
            if not isinstance(value, str) or not value.strip():
                raise TableError(f"{where}.{script}: missing or not a non-empty string", i, script)
            if len(value) > MAX_WORD:
                raise TableError(
                    f"{where}.{script}: {len(value):,} characters: a table maps words and "
                    f"phrases of at most {MAX_WORD}",
                    i,
                    script,
                )
            markup = MARKUP.search(value)
            if markup:
                raise TableError(
                    f"{where}.{script}: {value!r} holds {markup.group()!r}: a table maps plain"
                    " words, without markup",
                    i,
                    script,
                )
        key, value = item[other], item[to]
        if pairs.get(key, value) != value:
            raise TableError(
                f"{where}.{other}: {key!r} is already mapped to {pairs[key]!r}", i, other
            )
        pairs[key] = value
    return tuple(pairs.items())


class TableError(ConversionRuleError):
    """A bad ``conversion`` table; ``key`` is where in it: (item index, script), as far as known."""

    def __init__(self, message: str, *key: int | str) -> None:
        super().__init__(message)
        self.key = tuple(str(k) for k in key)


def table_place(text: str, exc: ConversionRuleError) -> tuple[int, int]:
    """The page's (line, col) of a front matter table's error: the item or value at fault, as
    far as the error says; the table's key otherwise, or the page's start (a ``-{…}-`` rule's
    error names its own place)."""
    fm = mdspans.split_front_matter(text)
    if fm is None or not isinstance(exc, TableError):
        return 1, 1
    marks = fm.marks()
    key = ("conversion", *getattr(exc, "key", ()))
    while key not in marks and len(key) > 1:
        key = key[:-1]
    return marks.get(key, (1, 1))


def rule_error(exc: RuleError, text: str, source: str) -> ConversionRuleError:
    """``exc`` (a bad ``-{…}-`` rule of ``text``) as the error naming ``source:line:col``."""
    line, col = mdtext.line_col(text, exc.offset)
    return ConversionRuleError(f"{source}:{line}:{col}: {exc}")
