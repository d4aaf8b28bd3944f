"""Heading anchors as the build makes them: Python-Markdown's toc, configured as mkdocs.yml does.

A page is rendered with the Markdown extensions of the project's ``mkdocs.yml`` (their
options included: toc's ``slugify`` is :func:`llmcourse.convert.heading_slug`), and its
anchors are read from what Python-Markdown made: ``toc_tokens`` for the headings, the ``id``
and ``name`` attributes of the HTML for the rest. Nothing here repeats toc's rules.
"""

from __future__ import annotations

import functools
import html.parser
import threading

import markdown

from llmcourse import mdtext
from llmcourse.build import CONFIG

__all__ = ["anchors", "heading_ids", "title_id"]

#: Python-Markdown's extensions that MkDocs always loads, before mkdocs.yml's.
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")

_LOCAL = threading.local()
HIGHLIGHT = "pymdownx.highlight"
#: pymdownx.highlight's options that give each line of code an id, through Pygments.
CODE_LINE_IDS = ("anchor_linenums", "line_anchors", "line_spans")


@functools.cache
def _extensions() -> tuple[tuple[str, ...], dict[str, dict]]:
    """mkdocs.yml's ``markdown_extensions`` as MkDocs hands them to Python-Markdown."""
    from mkdocs.utils.yaml import yaml_load

    with CONFIG.open(encoding="utf-8") as f:
        config = yaml_load(f)  # as MkDocs reads it: toc's !!python/name slugify imported
    names = list(MKDOCS_BUILTINS)
    options: dict[str, dict] = {}
    for item in config.get("markdown_extensions") or []:
        name, given = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name not in names:
            names.append(name)
        if given:
            options[name] = given
    return tuple(names), _ids_only(options)


def _ids_only(options: dict[str, dict]) -> dict[str, dict]:
    """The extensions' options for reading a page's ids: Pygments' highlighting (two thirds
    of the time of a page with code) off, unless an option of pymdownx.highlight gives the
    lines of code ids (:data:`CODE_LINE_IDS`). Code is escaped the same with or without it."""
    highlight = options.get(HIGHLIGHT, {})
    if any(highlight.get(option) for option in CODE_LINE_IDS):
        return options
    return {**options, HIGHLIGHT: {**highlight, "use_pygments": False}}


def _markdown() -> markdown.Markdown:
    """This thread's Markdown converter with the site's extensions."""
    md = getattr(_LOCAL, "md", None)
    if md is None:
        names, options = _extensions()
        md = _LOCAL.md = markdown.Markdown(extensions=list(names), extension_configs=options)
    return md


class _Ids(html.parser.HTMLParser):
    """The ``id`` and ``name`` attribute values of an HTML text, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name in ("id", "name") and value]


@functools.lru_cache(maxsize=512)
def _render(text: str, slug_script: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(heading ids, other ids) of a page: its body rendered as the build renders it (none
    when Python-Markdown cannot render it).

    ``slug_script`` is :data:`llmcourse.slug.SLUG_SCRIPT`'s value, which slugify reads.
    """
    try:
        body = mdtext.split_front_matter(text)[1]
    except mdtext.FrontMatterError:
        body = text  # MkDocs renders such a page whole
    md = _markdown()
    md.reset()
    try:
        output = md.convert(body)
    except RecursionError:  # nested deeper than Python-Markdown goes (the guard refuses it)
        _LOCAL.md = None
        return (), ()
    headings: list[str] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            headings.append(token["id"])
            walk(token["children"])

    walk(md.toc_tokens)
    parser = _Ids()
    parser.feed(output)
    parser.close()
    known = set(headings)
    others = [i for i in dict.fromkeys(parser.ids) if i not in known]
    md.reset()
    return tuple(headings), tuple(others)


def _ids(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from llmcourse import slug

    return _render(text, slug.SLUG_SCRIPT.get())


def heading_ids(text: str) -> list[str]:
    """The ids of a page's headings, in document order, as toc gives them."""
    return list(_ids(text)[0])


def anchors(text: str) -> list[str]:
    """The ids a rendered page has: its heading ids, then the other ids of its HTML
    (attribute lists, ``id``/``name`` in raw HTML), each once."""
    headings, others = _ids(text)
    return [*headings, *others]


def title_id(title: str) -> str:
    """The id toc gives a heading of this title (alone on its page)."""
    ids = heading_ids("# " + title)
    return ids[0] if ids else ""
