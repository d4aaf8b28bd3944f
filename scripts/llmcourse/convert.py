"""Conversion between zh-TW and zh-CN: the entry points that the build, check and tools call.

Each page has one Chinese source, in whichever script its author wrote; the build makes the
other script with OpenCC plus the project glossary, and only prose changes: code, URLs,
markup, math and YAML structure are byte-identical. The parts, lowest first:

- :mod:`llmcourse.glossary`: the project glossary of each direction and OpenCC's chain with it;
- :mod:`llmcourse.rules`: a page's own rules (front matter ``conversion:``, ``-{…}-`` errors);
- :mod:`llmcourse.convert_core`: the engine (prose through the chain, protected spans kept);
- :mod:`llmcourse.slug`: the heading slug that toc uses (:func:`heading_slug`);
- :mod:`llmcourse.anchors`: a source page as its readers see it, its anchors kept;
- :mod:`llmcourse.conversion_audit`: what a conversion replaced and what it must not change;
- :mod:`llmcourse.notebook_convert`: the Markdown cells of notebooks;
- :mod:`llmcourse.convert_command`: ``course.py convert``.

This module names what callers use (mkdocs.yml's slugify is ``llmcourse.convert.heading_slug``).
"""

from __future__ import annotations

from .anchors import keep_anchors, render_page
from .conversion_audit import Audit, ProtectedMismatch, Replacement, audit_markdown
from .convert_core import convert_md, convert_text, render_source
from .glossary import ConversionRuleError, Glossary, glossary, opencc_config
from .notebook_convert import convert_notebook
from .protect import PlaceholderError
from .rules import page_rules
from .slug import SLUG_SCRIPT, heading_slug

__all__ = [
    "Audit",
    "ConversionRuleError",
    "Glossary",
    "PlaceholderError",
    "ProtectedMismatch",
    "Replacement",
    "SLUG_SCRIPT",
    "audit_markdown",
    "convert_markdown",
    "convert_notebook",
    "convert_text",
    "glossary",
    "heading_slug",
    "keep_anchors",
    "opencc_config",
    "page_rules",
    "render_page",
    "render_source",
]


def convert_markdown(text: str, to: str, *, source: str = "<text>") -> str:
    """Convert the prose of a Markdown page to ``to`` ("zh-CN" or "zh-TW").

    Code, URLs, markup, math, YAML keys and structure, identifier values of the front matter,
    attribute lists, HTML comments and ``-{…}-``-protected text stay byte-identical; rule markers
    are removed. A heading whose anchor would differ from the source page's (a glossary pair
    that does not round-trip) gets the source's anchor as an explicit ``{#id}``
    (:func:`keep_anchors`). ``source`` names the page in error messages.
    """
    output = convert_md(text, to, source, record=False).output
    return keep_anchors(text, output, to, source_name=source)
