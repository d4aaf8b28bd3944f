"""Changes to markup that Material or mkdocs-jupyter write, made so that each fails loudly.

A patch of a package's markup silently does nothing once a new version writes it differently:
the copy buttons stay in English, code cells lose their keyboard focus, an excluded page is
indexed. Here a patch that finds none of the markup it expects, in output that must have it,
stops the build with `MarkupMissing`, naming the package's template, the markup expected and
the file of ours to update.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mkdocs.exceptions import PluginError


class MarkupMissing(PluginError):
    """Output that must hold a template's markup does not: the package changed it."""


def replace(html: str, old: str, new: str, *, template: str, by: str, required: bool) -> str:
    """`html` with every `old` made `new`; MarkupMissing if `required` and there is none."""
    if required and old not in html:
        raise missing(old, template=template, by=by)
    return html.replace(old, new)


def sub(
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
    html: str,
    *,
    template: str,
    by: str,
    required: bool,
    count: int = 0,
) -> str:
    """`html` with `pattern`'s matches replaced (at most `count`, 0: all); MarkupMissing if
    `required` and it matches nothing."""
    html, found = pattern.subn(repl, html, count=count)
    if required and not found:
        raise missing(pattern.pattern, template=template, by=by)
    return html


def missing(expected: str, *, template: str, by: str) -> MarkupMissing:
    """The error of a patch that found none of the markup it expects."""
    return MarkupMissing(
        f"{template} no longer writes the markup {expected!r} that {by} changes: "
        f"update {by} for the installed version"
    )
