"""A notebook page as mkdocs-jupyter renders it: the template's styles and scripts apart from cells.

mkdocs-jupyter's template writes its CSS and its copy-button script inline around the cells.
They are the template's, not the notebook's, so they are lifted out before the page is
sanitized (llmcourse.sanitize) and served as files (one cached stylesheet for every notebook
page); the cells, which may hold anything a notebook's author put in an output, are sanitized.

nbconvert is slow (about half a second a notebook) and every language build renders every
notebook, a generated other-script copy or a fallback: ``rendered`` keeps each rendering by the
hash of the notebook's bytes and the renderer's options, in memory for the other language
builds and serve's rebuilds, and in ``.cache/notebooks/`` for the next build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import tinycss2
from tinycss2.ast import (
    AtRule,
    Declaration,
    FunctionBlock,
    HashToken,
    IdentToken,
    LiteralToken,
    QualifiedRule,
    WhitespaceToken,
)

from llmcourse import CACHE as CACHE_ROOT
from llmcourse import chinese, disk_cache, theme_patch

#: The template whose markup this module takes apart, and this module (theme_patch errors)
TEMPLATE = "mkdocs-jupyter's mkdocs_html/notebook.html.j2"
BY = "scripts/llmcourse/notebook_html.py"
WRAPPER = '<div class="jupyter-wrapper">'
WRAPPER_END = "</div> <!-- jupyter-wrapper -->"
SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
# The template writes `<clipboard-copy for="cell-1", …>`, which reaches us as `,=""`.
STRAY_COMMA = re.compile(r'(<clipboard-copy) ,=""')


@dataclass(frozen=True)
class Asset:
    """A stylesheet or script lifted from the template, named by its content."""

    kind: str  # "css" or "js"
    text: str

    @property
    def name(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]
        return f"assets/notebooks/notebook-{digest}.{self.kind}"


def without_cells(source: bytes) -> bytes:
    """The notebook (its .ipynb bytes) with no cell and its metadata kept: rendered, it is the
    template's own markup around the cells, the same for every notebook with that metadata."""
    notebook = json.loads(source)
    notebook["cells"] = []
    return json.dumps(notebook, sort_keys=True, ensure_ascii=False).encode("utf-8")


def split(html: str, template: str) -> tuple[str, list[Asset]]:
    """(the cells, the template's own assets) of a rendered notebook page.

    ``template`` is the same notebook rendered without cells (:func:`without_cells`): what it
    writes before its wrapper and after the wrapper's end is the template's alone, and the page
    must begin and end with exactly that. Only there are styles and scripts taken as the
    template's. Everything between is cells, sanitized like any page, whatever it holds: a cell
    can write the wrapper's end marker itself (a raw cell, a Markdown cell's HTML), so the
    page's own markers are never searched.
    """
    start = template.find(WRAPPER)
    end = template.rfind(WRAPPER_END)
    if start < 0 or end < start:
        raise theme_patch.missing(WRAPPER if start < 0 else WRAPPER_END, template=TEMPLATE, by=BY)
    head, tail = template[:start], template[end + len(WRAPPER_END) :]
    if len(html) < len(head) + len(tail) or not (html.startswith(head) and html.endswith(tail)):
        raise TemplateMismatch(
            f"{TEMPLATE} wrote other markup around this notebook's cells than around none: "
            f"{BY} can no longer tell the template's styles and scripts from the cells"
        )
    cells = STRAY_COMMA.sub(r"\1", html[len(head) : len(html) - len(tail)])
    outside = head + tail
    css = "\n".join(body.strip() for body in STYLE.findall(outside))
    js = "\n;\n".join(
        body.strip()
        for attrs, body in SCRIPT.findall(outside)
        if "src=" not in attrs and _is_javascript(attrs) and body.strip()
    )
    return cells, [Asset(kind, text) for kind, text in (("css", css), ("js", js)) if text]


class TemplateMismatch(theme_patch.MarkupMissing):
    """A notebook page does not begin and end with the markup its template writes without
    cells."""


def _is_javascript(attrs: str) -> bool:
    """A script element that browsers run: no type, or a JavaScript one (not data or config)."""
    kind = SCRIPT_TYPE.search(attrs)
    return kind is None or kind.group(1).lower() in ("text/javascript", "application/javascript")


# ---------------------------------------------------------------------------------------------
# Code cells

#: Where the template writes a code cell's highlighted input (its `highlight_code` filter)
CODE_INPUT = '<div class="highlight-ipynb'


def has_code(source: bytes) -> bool:
    """Whether a notebook (its .ipynb bytes) has a code cell: its page then shows the
    template's highlighted input and copy button."""
    return any(cell.get("cell_type") == "code" for cell in json.loads(source).get("cells", []))


def focusable_code(html: str, has_code: bool) -> str:
    """The code inputs of a notebook page reachable from the keyboard: they scroll sideways
    (axe). MarkupMissing if the page of a notebook with code has none (`has_code`)."""
    focusable = CODE_INPUT.replace("<div ", '<div tabindex="0" ', 1)
    return theme_patch.replace(
        html, CODE_INPUT, focusable, template=TEMPLATE, by=BY, required=has_code
    )


#: A copy button of the template, or the hidden text it copies (``id="cell-N"``).
_COPY_PART = re.compile(
    r'<clipboard-copy\b[^>]*>|<div\b(?=[^>]*\bclass="clipboard-copy-txt")[^>]*>'
)
_FOR_OR_ID = re.compile(r'\s(?:for|id)="[^"]*"')


def copy_targets(html: str) -> str:
    """Each copy button paired with the text right after it, under ids page content cannot
    write (``reader-copy-N``; the sanitizer keeps ``reader-`` ids out of pages).

    The template pairs them by ``id="cell-N"``, which a Markdown or raw cell can give an earlier
    element (a hidden ``curl … | sh``): the button then copies that. A code cell's button is
    always followed by its own text before any cell output, so order pairs them soundly.
    """
    out: list[str] = []
    pos = n = 0
    waiting = False
    for m in _COPY_PART.finditer(html):
        tag = _FOR_OR_ID.sub("", m.group(0))
        if tag.startswith("<clipboard-copy"):
            n += 1
            tag = tag.replace("<clipboard-copy", f'<clipboard-copy for="reader-copy-{n}"', 1)
            waiting = True
        elif waiting:
            tag = tag.replace("<div", f'<div id="reader-copy-{n}"', 1)
            waiting = False
        out += [html[pos : m.start()], tag]
        pos = m.end()
    out.append(html[pos:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The stylesheet the notebooks use

#: The template's stylesheet is JupyterLab's whole: its widgets, menus, dialogs and a hundred
#: icons as data URIs (595 KB), for a page that shows cells. ``trim`` keeps the rules whose
#: selectors can match what the notebook pages hold; what a selector needs is read from its
#: tokens, conservatively: a rule stays when ONE of its selectors has all its classes, ids and
#: (inside the wrapper) element names in some notebook page, whatever its attribute selectors,
#: pseudo-classes and their arguments (so dark mode, `[data-md-color-scheme=slate]`, stays).
WRAPPER_CLASS = ".jupyter-wrapper"
#: Elements every page has around the cells.
PAGE_ELEMENTS = frozenset({"html", "body"})
#: Custom properties only JupyterLab's CSS reads: dropped when no kept rule reads them. Others
#: (mkdocs-jupyter sets Material's --md-* inside the wrapper) may be read by the site's CSS.
OWN_PROPERTIES = "--jp-"
ANIMATION_PROPERTIES = frozenset({"animation", "animation-name", "-webkit-animation"})
KEYFRAMES = frozenset({"keyframes", "-webkit-keyframes", "-moz-keyframes"})
CONTAINERS = frozenset({"media", "supports", "layer", "container"})


def used_tokens(html: str, cache: Path | None = None) -> set[str]:
    """The element names, `.classes` and `#ids` an HTML fragment holds (a notebook's: once per
    HTML and version of this module, for every language build and build after it)."""
    digest = hashlib.sha256(html.encode("utf-8", "surrogatepass"))
    digest.update(_OWN_SOURCE)
    return set(
        rendered("tokens-" + digest.hexdigest(), lambda: sorted(_tokens(html)), cache or CACHE)
    )


def _tokens(html: str) -> set[str]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def trim(css: str, used: set[str]) -> str:
    """The rules of ``css`` that can apply to pages holding the ``used`` tokens (used_tokens),
    minified; custom properties, keyframes and @media blocks only where kept rules need them."""
    rules = _kept(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), used)
    declarations = [d for rule in _walk(rules) for d in rule[1]]
    needed = _properties_needed(declarations)
    animations = {
        token.lower_value
        for d in declarations
        if d.lower_name in ANIMATION_PROPERTIES
        for token in d.value
        if isinstance(token, IdentToken)
    }
    return "\n".join(_serialize(rules, needed, animations))


def _kept(nodes: list, used: set[str]) -> list:
    """[(selector text, declarations) | (AtRule, nested kept list | None)] in source order."""
    kept = []
    for node in nodes:
        if isinstance(node, QualifiedRule):
            selectors = [s for s in _selectors(node.prelude) if _can_match(s, used)]
            if selectors:
                body = tinycss2.parse_blocks_contents(
                    node.content, skip_comments=True, skip_whitespace=True
                )
                kept.append((",".join(selectors), [d for d in body if d.type == "declaration"]))
        elif isinstance(node, AtRule) and node.lower_at_keyword in CONTAINERS and node.content:
            inner = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            nested = _kept(inner, used)
            if nested:
                kept.append((node, nested))
        elif isinstance(node, AtRule) and node.lower_at_keyword == "charset":
            continue  # never first in the template's concatenated styles: browsers ignored it
        elif isinstance(node, AtRule):  # @keyframes, @font-face...: decided later
            kept.append((node, None))
        # anything else is a parse error the browser drops as well
    return kept


def _walk(rules: list):
    for head, body in rules:
        if isinstance(head, str):
            yield head, body
        elif body is not None:
            yield from _walk(body)


def _selectors(prelude: list) -> list[str]:
    """The prelude's selectors (split at top-level commas), serialized and stripped."""
    parts: list[list] = [[]]
    for token in prelude:
        if isinstance(token, LiteralToken) and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [tinycss2.serialize(part).strip() for part in parts if part]


def _can_match(selector: str, used: set[str]) -> bool:
    """Whether every class, id and element name the selector requires is in ``used``."""
    tokens = tinycss2.parse_component_value_list(selector)
    needs: set[str] = set()
    after_combinator = False
    previous = None
    for token in tokens:
        if isinstance(token, WhitespaceToken) or (
            isinstance(token, LiteralToken) and token.value in (">", "+", "~")
        ):
            after_combinator = True
        elif isinstance(token, HashToken):
            needs.add("#" + token.value)
        elif isinstance(token, IdentToken):
            if isinstance(previous, LiteralToken) and previous.value == ".":
                needs.add("." + token.value)
            elif isinstance(previous, LiteralToken) and previous.value == ":":
                # `.jupyter-wrapper :root` (the template prefixes every selector) matches nothing
                if token.lower_value == "root" and after_combinator:
                    return False
            else:
                needs.add(token.lower_value)
        # attribute selectors, `*` and pseudo-class arguments ask for nothing: kept
        previous = token
    if WRAPPER_CLASS not in needs:
        # page-wide rules: elements may be Material's, outside the cells
        needs = {need for need in needs if need[0] in ".#"}
    return needs <= used | PAGE_ELEMENTS


def _properties_needed(declarations: list[Declaration]) -> set[str]:
    """The custom properties the declarations read, through other custom properties too."""
    values: dict[str, list] = {}
    for d in declarations:
        if d.name.startswith("--"):
            values.setdefault(d.name, []).append(d.value)
    needed: set[str] = set()
    todo = [d.value for d in declarations if not d.name.startswith("--")]
    while todo:
        for name in _var_names(todo.pop()):
            if name not in needed:
                needed.add(name)
                todo.extend(values.get(name, []))
    return needed


def _var_names(tokens: list):
    for token in tokens:
        if isinstance(token, FunctionBlock):
            if token.lower_name == "var":
                for arg in token.arguments:
                    if isinstance(arg, IdentToken):
                        yield arg.value
                        break
            yield from _var_names(token.arguments)
        elif hasattr(token, "content") and isinstance(token.content, list):
            yield from _var_names(token.content)


def _serialize(rules: list, needed: set[str], animations: set[str]):
    for head, body in rules:
        if isinstance(head, str):
            kept = [
                d.serialize()
                for d in body
                if not d.name.startswith(OWN_PROPERTIES) or d.name in needed
            ]
            if kept:
                yield f"{head}{{{';'.join(kept)}}}"
        elif body is not None:
            inner = "".join(_serialize(body, needed, animations))
            if inner:
                yield f"@{head.at_keyword}{tinycss2.serialize(head.prelude)}{{{inner}}}"
        elif head.lower_at_keyword not in KEYFRAMES or _keyframes_name(head) in animations:
            yield head.serialize()


def _keyframes_name(rule: AtRule) -> str:
    return next((t.lower_value for t in rule.prelude if isinstance(t, IdentToken)), "")


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.add(tag)
        for name, value in attrs:
            if name == "class" and value:
                self.tokens.update("." + c for c in value.split())
            elif name == "id" and value:
                self.tokens.add("#" + value)

    handle_startendtag = handle_starttag


# ---------------------------------------------------------------------------------------------
# Rendering once per content

#: The renderings kept for the next build: <repo>/.cache/notebooks, or the folder
#: LLMCOURSE_NOTEBOOK_CACHE names (a hook for tests, which start from an empty one; made
#: absolute here, so a relative name means the same whatever folder the build runs in later).
CACHE = Path(os.environ.get("LLMCOURSE_NOTEBOOK_CACHE") or CACHE_ROOT / "notebooks").resolve()
#: Libraries whose versions change a rendering (the toc's Python-Markdown for use_slug).
RENDERER_LIBRARIES = ("mkdocs-jupyter", "nbconvert", "jupytext", "markdown", "pygments")
#: How many renderings the cache keeps (the least recently used go first).
KEEP = 64
#: mkdocs-jupyter options that change its HTML (as its own cache key lists them).
RENDER_OPTIONS = (
    "execute",
    "kernel_name",
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "include_requirejs",
    "custom_mathjax_url",
    "toc_depth",
    "ignore_h1_titles",
)
_STORES: dict[Path, disk_cache.Store] = {}


def render_key(source: bytes, options: dict, slug: str = "") -> str:
    """The notebook's bytes, the options, the renderer's versions and the heading slug in
    force (:func:`use_slug`), hashed."""
    digest = hashlib.sha256(source)
    digest.update(f"\0slug={slug}".encode())
    digest.update(f"\0{disk_cache.versions(*RENDERER_LIBRARIES)}".encode())
    for name in RENDER_OPTIONS:
        digest.update(f"\0{name}={options.get(name)!r}".encode())
    return digest.hexdigest()


@contextmanager
def slug_context(source: bytes, lang: str, name: str) -> Iterator[None]:
    """While the notebook ``source`` (``name``) is rendered as a page in ``lang``: its headings
    slugged as written in that script, with the notebook's own conversion table (its metadata,
    :func:`llmcourse.rules.notebook_rules`), as its text was converted. A heading then has one
    id in zh-TW and zh-CN, also where the table swaps two words (列 and 行)."""
    from .rules import notebook_rules
    from .slug import CANONICAL, SLUG_RULES, SLUG_SCRIPT

    script = lang if lang in chinese.SCRIPTS else None
    rules = ()
    if script is not None and script != CANONICAL:
        rules = notebook_rules(json.loads(source), CANONICAL, name)
    tokens = SLUG_SCRIPT.set(script), SLUG_RULES.set(rules)
    try:
        yield
    finally:
        SLUG_SCRIPT.reset(tokens[0])
        SLUG_RULES.reset(tokens[1])


def rendered(key: str, render: Callable[[], object], cache: Path = CACHE):
    """``render()`` (JSON-able) once per key: from memory, the cache folder, or anew."""
    store = _STORES.get(cache)
    if store is None:
        store = _STORES[cache] = disk_cache.Store(cache, KEEP)
    return store.get(key, render)


def trimmed(css: str, used: set[str], cache: Path = CACHE) -> str:
    """:func:`trim`, once per stylesheet, token set and version of this module: the same for
    every language build and every build until a notebook's markup or the template changes."""
    digest = hashlib.sha256(css.encode("utf-8"))
    digest.update("\0".join(["", *sorted(used)]).encode("utf-8"))
    digest.update(_OWN_SOURCE)
    digest.update(f"\0{disk_cache.versions('tinycss2')}".encode())
    key = "css-" + digest.hexdigest()
    return rendered(key, lambda: {"css": trim(css, used)}, cache)["css"]


def stylesheet(css: str, used: set[str]) -> str:
    """The one stylesheet of every notebook page: the template's ``css`` trimmed to what the
    pages use (:func:`trimmed`), then the site's own rules for cells (notebook.css), without
    the comments that explain them (a sixth of the stylesheet's gzipped bytes)."""
    site_rules = SITE_COMMENT.sub("", SITE_RULES.read_text(encoding="utf-8"))
    return trimmed(css, used) + "\n" + BLANK_LINES.sub("\n", site_rules).strip() + "\n"


#: The site's rules for notebook cells (off-screen cells left unstyled unless the page opens at a
#: heading, outputs scrolled sideways, no prompts on a phone, readable colours in both schemes).
SITE_RULES = Path(__file__).with_name("notebook.css")
#: Its comments (no string in it holds "/*"), and the blank lines they leave
SITE_COMMENT = re.compile(r"/\*.*?\*/", re.S)
BLANK_LINES = re.compile(r"\s*\n\s*")
#: This module's code: a trimmed stylesheet made by an older :func:`trim` is not reused.
_OWN_SOURCE = Path(__file__).read_bytes()


# ---------------------------------------------------------------------------------------------
# Heading ids


#: Changes with what :func:`use_slug` does to the renderer (a part of the render cache key).
SLUG_PATCH = "ids and toc from the site slug, ids not percent-encoded"


def use_slug(slugify: Callable[[str, str], str]) -> None:
    """Give mkdocs-jupyter's heading ids and its table of contents the site's toc ``slugify``.

    mkdocs-jupyter slugs heading ids with an ASCII-only function of its own (a Chinese heading
    gets ``id=""``, a numbered one ``id="1"``) and builds the table of contents with
    Python-Markdown's default slugify (``_1``, ``_2``): on Chinese notebook pages the two
    disagree and the table of contents led nowhere. With one function both agree, and a
    heading has the same id in zh-TW and zh-CN, as on Markdown pages. Raises when
    mkdocs-jupyter no longer has the two functions this replaces.
    """
    import markdown
    import mkdocs_jupyter.convert as ids
    import mkdocs_jupyter.plugin as toc
    import nbconvert.filters.strings as header
    from markdown.extensions.toc import TocExtension

    replaced = (ids, "slugify"), (toc, "_get_markdown_toc"), (header, "_convert_header_id")
    missing = [f"{m.__name__}.{n}" for m, n in replaced if not callable(getattr(m, n, None))]
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} no longer exist: update llmcourse/notebook_html.py use_slug "
            "for the new mkdocs-jupyter / nbconvert"
        )

    def markdown_toc(source: str, toc_depth: int) -> list:
        md = markdown.Markdown(extensions=[TocExtension(toc_depth=toc_depth, slugify=slugify)])
        md.convert(source)
        return md.toc_tokens

    ids.slugify = lambda value: slugify(value, "-")
    toc._get_markdown_toc = markdown_toc
    # nbconvert percent-encodes the id it is given (id="%E7%BC…"); the slug is already a valid
    # id with no spaces, written as Python-Markdown writes the ids of Markdown pages
    header._convert_header_id = lambda value: value.replace(" ", "-")
