"""Notebooks converted: the Markdown cells of a Jupyter notebook, in its own JSON formatting."""

from __future__ import annotations

import json
import re
from typing import Any

from .convert_core import convert_md
from .glossary import check_script
from .rules import notebook_rules

__all__ = ["convert_notebook"]


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
    """Convert the markdown cells of a Jupyter notebook, with its own conversion table (see
    :func:`llmcourse.rules.notebook_rules`); code cells and outputs never change.

    Returns JSON text in the notebook's own formatting (indent, ASCII escaping, final newline);
    a notebook with nothing to convert is returned unchanged.
    """
    check_script(to)
    nb = json.loads(nb_json)
    rules = notebook_rules(nb, to, source)
    changed = False
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        # No explicit {#id}: notebook cells are rendered by nbconvert, which has no attr_list.
        converted = convert_md(text, to, f"{source}#cell{index}", record=False, rules=rules).output
        if converted == text:
            continue
        changed = True
        cell["source"] = converted.splitlines(keepends=True) if isinstance(src, list) else converted
    if not changed:
        return nb_json
    out = json.dumps(nb, **_json_style(nb_json))
    return out + "\n" if nb_json.endswith("\n") else out
