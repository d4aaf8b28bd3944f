"""A page's own conversion rules: its front matter's ``conversion:`` table (a notebook's:
its metadata's ``llmcourse.conversion``), bad ``-{…}-`` rules.

The ``-{…}-`` rules themselves are read by :mod:`llmcourse.mdspans` and applied by
:mod:`llmcourse.convert_core`.
"""

from __future__ import annotations

from . import chinese, mdtext
from .glossary import ConversionRuleError
from .mdspans import RuleError

__all__ = ["notebook_rules", "page_rules", "rule_error"]


def page_rules(data: object, to: str, source: str = "<text>") -> tuple[tuple[str, str], ...]:
    """Validate a front matter's ``conversion:`` table; return its (from, to) pairs for ``to``.

    Schema: a list of mappings, each with exactly the keys ``zh-TW`` and ``zh-CN`` and a
    non-empty string for each. ``{zh-TW: 程式碼, zh-CN: 代码}`` makes 程式碼→代码 when converting
    to zh-CN and 代码→程式碼 when converting to zh-TW, on that page only, before the glossary.
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


def _table(table: object, to: str, name: str) -> tuple[tuple[str, str], ...]:
    """The (from, to) pairs for ``to`` of a ``conversion`` table; ``name`` names it in errors
    (up to its closing quote)."""
    if not isinstance(table, list):
        raise ConversionRuleError(f"{name}' must be a list of {{zh-TW: …, zh-CN: …}} mappings")
    other = chinese.other(to)
    pairs: dict[str, str] = {}
    for i, item in enumerate(table):
        where = f"{name}[{i}]'"
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


def rule_error(exc: RuleError, text: str, source: str) -> ConversionRuleError:
    """``exc`` (a bad ``-{…}-`` rule of ``text``) as the error naming ``source:line:col``."""
    line, col = mdtext.line_col(text, exc.offset)
    return ConversionRuleError(f"{source}:{line}:{col}: {exc}")
