"""A page's block structure: unclosed code fences, lists and quotes nested too deep."""

from __future__ import annotations

import re

from llmcourse import mdspans, mdtext
from llmcourse.check.report import FileReport
from llmcourse.mdspans import indent_width

#: Deepest list or block quote nesting accepted (Python-Markdown recurses per level).
MAX_NESTING = 50


LIST_ITEM = re.compile(r"[ \t]{0,4000}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
QUOTE = re.compile(r"[ ]{0,3}((?:>[ \t]?){1,100000})")
#: The list and quote markers a line starts with ("- - > 1. …"), each opening a nested block.
MARKERS = re.compile(r"(?:[ \t]{0,3}(?:[-*+]|\d{1,9}[.)]|>)(?:[ \t]+|$)){2,100000}")


def check_structure(lines: list[str], first: int, mask: list[bool], report: FileReport) -> None:
    """Unclosed fences (nesting is the guard's: llmcourse.guard.page_problems)."""
    start = mdtext.unclosed_fence(lines)
    if start is not None:
        line = lines[start - 1]
        content = line.lstrip(mdspans.FENCE_PREFIX)
        mark = mdspans.fence_open(content) or "```"
        report.add(
            start + first - 1,
            len(line) - len(content) + 1,
            f"code fence {mark} is never closed: Python-Markdown shows it and the code after "
            "it as text",
            f"close it with a line of {mark}",
        )


def check_nesting(lines: list[str], first: int, mask: list[bool], report: FileReport) -> None:
    """Lists and block quotes nested deeper than Python-Markdown can render (the build too)."""
    stack: list[int] = []
    for i, line in enumerate(lines):
        if mask[i] or not line.strip():
            continue
        q = QUOTE.match(line)
        if q and q.group(1).count(">") > MAX_NESTING:
            report.add(
                i + first,
                1,
                f"block quote nested more than {MAX_NESTING} levels deep: "
                "Python-Markdown cannot render it",
                "flatten the quotes",
            )
            return
        markers = len(MARKERS.match(line).group(0).split()) if MARKERS.match(line) else 0
        if markers > MAX_NESTING:  # "- - - - …": each marker opens a list inside the last
            report.add(
                i + first,
                1,
                f"{markers} list or quote markers on one line (at most {MAX_NESTING}): "
                "Python-Markdown cannot render that many nested blocks",
                "write the markers as text (escape the first: \\-) or flatten the list",
            )
            return
        m = LIST_ITEM.match(line)
        indent = indent_width(line)
        if m is None:
            while stack and stack[-1] >= indent:
                stack.pop()
            if indent == 0:
                stack.clear()
            continue
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        if len(stack) > MAX_NESTING:
            report.add(
                i + first,
                indent + 1,
                f"list nested {len(stack)} levels deep (at most {MAX_NESTING}): "
                "Python-Markdown cannot render it",
                "flatten the list",
            )
            return
