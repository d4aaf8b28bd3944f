"""The site's own stylesheets as readers get them: without comments or runs of white space.

``overrides/assets/reader/*.css`` explain themselves at length for whoever edits them; a reader
downloads every byte, on each page (the chapter page's budget is 75 KB with gzip). The build
serves each one minified (:func:`minified_css`, on tinycss2's tokens: comments dropped, white
space collapsed to one space, nothing else changed) under its own name.
"""

from __future__ import annotations

import functools

import tinycss2
from tinycss2.ast import Node, WhitespaceToken

__all__ = ["STYLESHEETS", "minified_css"]

#: The theme's stylesheets served minified (``src_uri`` patterns of the theme's files).
STYLESHEETS = "assets/reader/*.css"


@functools.lru_cache(maxsize=16)
def minified_css(css: str) -> str:
    """``css`` without comments, each run of white space one space (tinycss2 serializes the
    tokens back, as it separates tokens that would otherwise merge)."""
    return tinycss2.serialize(_compact(tinycss2.parse_component_value_list(css))).strip()


def _compact(tokens: list[Node]) -> list[Node]:
    out: list[Node] = []
    for token in tokens:
        if token.type == "comment":
            continue
        if token.type == "whitespace":
            if out and out[-1].type == "whitespace":
                continue
            token = WhitespaceToken(token.source_line, token.source_column, " ")
        elif token.type == "function":
            token.arguments = _compact(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            token.content = _compact(token.content)
        out.append(token)
    return out
