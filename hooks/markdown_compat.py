"""GitHub-style Markdown the community writes, read the same way by Python-Markdown."""

from __future__ import annotations

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from llmcourse import mdtext

LIST_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+\S")
BLOCK_START = re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])[ \t]|^\s*$|^ {0,3}(#|>|\||<|!!!|\?\?\?)")


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Start a list that directly follows a paragraph line on a new block, as GitHub does."""
    lines = markdown.split("\n")
    in_code = mdtext.code_mask(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if (
            i
            and not in_code[i]
            and not in_code[i - 1]
            and LIST_ITEM.match(line)
            and not BLOCK_START.match(lines[i - 1])
            and not lines[i - 1].startswith((" ", "\t"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)
