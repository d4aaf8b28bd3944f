"""Conversion between zh-TW and zh-CN: the entry points that the build, check and tools call.

Each page has one Chinese source, in whichever script its author wrote; the build makes the
other script with OpenCC plus the project glossary, and only prose changes: code, URLs,
markup and YAML structure are byte-identical. The parts, lowest first:

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

import hashlib
from pathlib import Path

from . import CACHE, disk_cache
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
    "as_built",
    "toolkit_version",
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

    Code, URLs, markup, YAML keys and structure, identifier values of the front matter,
    attribute lists, HTML comments and ``-{…}-``-protected text stay byte-identical; rule markers
    are removed. A heading whose anchor would differ from the source page's (a glossary pair
    that does not round-trip) gets the source's anchor as an explicit ``{#id}``
    (:func:`keep_anchors`). ``source`` names the page in error messages.
    """
    output = convert_md(text, to, source, record=False).output
    return keep_anchors(text, output, to, source_name=source)


#: Pages as the build shows them, by text, script and :func:`toolkit_version`.
BUILT = disk_cache.Store(CACHE / "pages", keep=1024)
#: What the build makes of a page: a source in its own script, a page or notebook converted.
_MAKERS = {"render": render_page, "markdown": convert_markdown, "notebook": convert_notebook}
_PACKAGE = Path(__file__).resolve().parent


#: Libraries whose versions change a conversion: OpenCC, and what renders the anchors kept
#: (Python-Markdown, its extensions, Pygments' code blocks).
CONVERSION_LIBRARIES = ("opencc", "markdown", "pymdown-extensions", "pygments")


def toolkit_version() -> str:
    """Everything a page's conversion depends on besides its text: this package's code and
    data, the glossary, mkdocs.yml (the Markdown extensions the anchors come from) and the
    libraries of :data:`CONVERSION_LIBRARIES`. Taken before each build: a few milliseconds."""
    from .build import CONFIG
    from .glossary import GLOSSARY_DIR

    files = disk_cache.source_digest([_PACKAGE, GLOSSARY_DIR, CONFIG])
    return f"{files}:{disk_cache.versions(*CONVERSION_LIBRARIES)}"


def as_built(how: str, text: str, to: str, *, source: str, version: str) -> str:
    """``render_page``, ``convert_markdown`` or ``convert_notebook`` (``how``: render, markdown,
    notebook) of ``text``, made once per text, script and ``version`` (:func:`toolkit_version`)
    for every language build and every build after it. ``source`` names the page in errors,
    which are raised, never kept."""
    digest = hashlib.sha256(f"{how}\0{to}\0{version}\0".encode())
    digest.update(text.encode("utf-8", "surrogatepass"))
    made = BUILT.get(digest.hexdigest(), lambda: _MAKERS[how](text, to, source=source))
    return str(made)
