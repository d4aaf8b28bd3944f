"""The Markdown model of a page: its front matter, its fences and code, the spans to keep.

Every tool reads a page through this module: :func:`front_matter` is the one front-matter
splitter and :func:`fence_open` the one fence detector (pymdownx.superfences' rules);
:func:`blocks` finds the code blocks, which ``llmcourse.mdtext`` shows line by line.

:func:`scan` returns the *protected spans* of a page (code, URLs, markup, YAML structure,
...) and the *rule spans* (``-{…}-`` markers, see ``locales/glossary/README.md``). Everything
outside those spans is prose. The scanner is line-based for blocks (fences, indented code,
reference definitions) and a left-to-right, leftmost-construct-wins scanner for inline
constructs, in the spirit of Python-Markdown and the pymdownx extensions MkDocs uses.

It errs on the side of protecting: text it cannot classify stays prose, but anything that looks
like code, a URL or markup is protected. TeX between ``$`` signs and ``{{ … }}`` are prose: the
site renders no math and no templates, so readers see them as text, and the conversion changes
only Chinese characters (a Chinese ``\text{…}`` converts, the TeX around it cannot change).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import markdown.inlinepatterns
import markdown.util
import yaml

from . import LOCALES, chinese, yamlfile

__all__ = [
    "Blocks",
    "FrontMatter",
    "RuleError",
    "Span",
    "blocks",
    "code_span_end",
    "code_spans",
    "heading_title",
    "fence_closes",
    "fence_open",
    "front_matter",
    "parse_rule",
    "scan",
    "scan_rules",
    "split_front_matter",
]


class RuleError(ValueError):
    """A malformed ``-{…}-`` conversion rule; ``offset`` is where it starts in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


#: The kinds of span a conversion writes anew: a ``-{…}-`` rule (its variant for the script),
#: a shortcut reference (``[数据库][資料庫]``).
REWRITTEN = ("rule", "ref-text")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open ``[start, end)`` range of the text with what it is.

    ``kind`` is one of the protected kinds (``front-matter``, ``identifier`` (a front-matter
    value under a key of ``locales/glossary/protected-keys.yaml``), ``fence``, ``indented-code``,
    ``code``, ``html``, ``comment``, ``autolink``, ``url``, ``link-target``, ``ref-def``,
    ``ref-label``, ``footnote``, ``attr``, ``snippet``), ``rule`` or
    ``ref-text``: a shortcut or collapsed reference (``[資料庫]``, ``[資料庫][]``), whose text is
    both what readers see and the label, with the label in ``inner``; the generated page writes
    it as a full reference (``[数据库][資料庫]``), its text converted and its label kept.
    For a rule, ``variants`` maps ``zh-TW``/``zh-CN`` to text (a variant rule) and is empty for a
    protecting rule ``-{text}-``, whose text is ``inner``.
    """

    start: int
    end: int
    kind: str
    inner: str = ""
    variants: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_rule(self) -> bool:
        """Whether this is a ``-{…}-`` marker rather than a protected span."""
        return self.kind == "rule"

    @property
    def rewritten(self) -> bool:
        """Whether a conversion writes it anew (:data:`REWRITTEN`) rather than byte for byte."""
        return self.kind in REWRITTEN


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A page's leading ``---`` YAML block, as :func:`front_matter` finds and parses it.

    ``end`` is where the body starts (after the closing ``---`` or ``...`` line) and ``lines``
    the lines up to there; ``yaml`` is the block's text, from line 2 at offset ``start`` (to the
    end of the page when it never closes: ``closed`` false, nothing parsed), and ``data`` what
    it parses to.
    ``values`` are the character ranges of its string values (not keys, not the
    ``conversion`` table), which are prose; ``identifiers`` those under identifier keys
    (protected). When the YAML does not parse, ``error`` says why
    (``error_at``: file line, column and problem) and ``values`` is empty (the whole block stays
    protected). ``markup`` is its first YAML anchor, alias or explicit tag (kind, file line,
    column), which pages may not use.
    """

    end: int
    data: object
    values: list[tuple[int, int]]
    error: str | None = None
    #: character ranges of string values under identifier keys (protected, not prose)
    identifiers: list[tuple[int, int]] = field(default_factory=list)
    closed: bool = True
    lines: int = 0
    start: int = 0
    yaml: str = ""
    error_at: tuple[int, int, str] | None = None
    markup: tuple[str, int, int] | None = None
    node: yaml.Node | None = field(default=None, compare=False, repr=False)

    def marks(self) -> dict[tuple[str, ...], tuple[int, int]]:
        """File (line, col) of its keys: ``('parity',)``, ``('parity', '0')``, ``('parity',
        '0', 'check')`` (top-level keys, the items of their lists and those items' keys)."""
        marks: dict[tuple[str, ...], tuple[int, int]] = {}
        if not isinstance(self.node, yaml.MappingNode):
            return marks
        for key, value in self.node.value:
            name = str(key.value)
            marks[(name,)] = _file_mark(key)
            if isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    marks[(name, str(i))] = _file_mark(item)
                    if isinstance(item, yaml.MappingNode):
                        for k, _ in item.value:
                            marks[(name, str(i), str(k.value))] = _file_mark(k)
        return marks

    def value_range(self, key: str) -> tuple[int, int] | None:
        """Where the value of the top-level ``key`` is in the page, or ``None``."""
        if isinstance(self.node, yaml.MappingNode):
            for k, value in self.node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return self.start + value.start_mark.index, self.start + value.end_mark.index
        return None


def _file_mark(node: yaml.Node) -> tuple[int, int]:
    """File (line, col) of a front-matter node: its YAML starts on the page's line 2."""
    return node.start_mark.line + 2, node.start_mark.column + 1


PROTECTED_KEYS = LOCALES / "glossary" / "protected-keys.yaml"


@functools.cache
def _markup_lists() -> dict[str, tuple[str, ...]]:
    """``locales/glossary/protected-keys.yaml``: identifier keys and HTML prose attributes."""
    data = yamlfile.read(PROTECTED_KEYS) or {}
    wanted = ("front_matter_identifiers", "html_prose_attributes")
    if not isinstance(data, dict) or set(data) != set(wanted):
        raise ValueError(f"{PROTECTED_KEYS}: expected exactly the keys {', '.join(wanted)}")
    out = {}
    for key in wanted:
        items = data[key]
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise ValueError(f"{PROTECTED_KEYS}: key '{key}' must be a list of names")
        out[key] = tuple(items)
    return out


@functools.lru_cache(maxsize=1024)
def is_identifier_key(key: str) -> bool:
    """Whether a front-matter key names an identifier (template, icon, slug, paths...)."""
    return any(fnmatch.fnmatchcase(key, p) for p in _markup_lists()["front_matter_identifiers"])


# ---------------------------------------------------------------------------------------------
# Front matter

#: The opening line (MkDocs reads a page without its byte order mark) and the closing line.
_FM_OPEN = re.compile(r"\ufeff?---[ \t]*(?:\r?\n|\Z)")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
_YAML_MARKUP = {yaml.AnchorToken: "anchor", yaml.AliasToken: "alias", yaml.TagToken: "tag"}


@functools.lru_cache(maxsize=16)
def front_matter(text: str) -> FrontMatter | None:
    """Find and parse the leading ``---`` YAML block of a page; ``None`` when it has none.

    The one front-matter splitter: :func:`split_front_matter`, ``mdtext.split_front_matter``
    and the guard's and check's views of front matter all read its answer.
    """
    opening = _FM_OPEN.match(text)
    if opening is None:
        return None
    start = opening.end()
    closing = _FM_CLOSE.search(text, start) if opening.group().endswith("\n") else None
    if closing is None:
        rest = text[start:]
        return FrontMatter(0, None, [], closed=False, start=start, yaml=rest, markup=_markup(rest))
    end = closing.end() + text.startswith("\n", closing.end())
    # The YAML with its last line break, as MkDocs reads it (an error at the end of the block
    # is then on the closing line); value ranges stop before that line break.
    yaml_text = text[start : closing.start()]
    lines = len(text[:end].splitlines())
    markup = _markup(yaml_text)
    loader = None
    try:
        # the reader refuses control characters (C1 ones come with latin-1 mojibake) at once
        loader = yaml.SafeLoader(yaml_text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        return FrontMatter(
            end,
            None,
            [],
            str(exc),
            lines=lines,
            start=start,
            yaml=yaml_text,
            error_at=(line, col, problem),
            markup=markup,
        )
    finally:
        if loader is not None:
            loader.dispose()
    values: list[tuple[int, int]] = []
    identifiers: list[tuple[int, int]] = []
    if node is not None:
        _collect_values(node, values, identifiers, set(), top=True)
    core = len(yaml_text.removesuffix("\n").removesuffix("\r"))
    values = [(start + s, start + min(e, core)) for s, e in sorted(values)]
    identifiers = [(start + s, start + min(e, core)) for s, e in sorted(identifiers)]
    return FrontMatter(
        end,
        data,
        values,
        identifiers=identifiers,
        lines=lines,
        start=start,
        yaml=yaml_text,
        markup=markup,
        node=node,
    )


def split_front_matter(text: str) -> FrontMatter | None:
    """The :func:`front_matter` of a page when it closes; ``None`` when the page has none."""
    fm = front_matter(text)
    return fm if fm is not None and fm.closed else None


def _markup(yaml_text: str) -> tuple[str, int, int] | None:
    """(kind, file line, column) of the first YAML anchor, alias or tag of a front matter."""
    try:
        for token in yaml.scan(yaml_text, Loader=yaml.SafeLoader):
            kind = _YAML_MARKUP.get(type(token))
            if kind is not None:
                return kind, token.start_mark.line + 2, token.start_mark.column + 1
    except yaml.YAMLError:
        pass  # the parse reports it, with its place
    return None


def _collect_values(
    node: yaml.Node,
    out: list[tuple[int, int]],
    ids: list[tuple[int, int]],
    seen: set[tuple[int, bool]],
    top: bool = False,
    identifier: bool = False,
) -> None:
    """Append the source ranges of string scalars under ``node`` that are values, not keys.

    Values under an identifier key (:func:`is_identifier_key`) go to ``ids`` instead. A node
    that aliases make appear many times is walked once (``seen``): a few hundred bytes of
    aliases can otherwise stand for billions of values.
    """
    if (id(node), identifier) in seen:
        return
    seen.add((id(node), identifier))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:str" and node.value:
            start, end = node.start_mark.index, node.end_mark.index
            if node.style in ('"', "'"):
                start, end = start + 1, end - 1
            # Block scalars (| and >) start at their indicator, which is ASCII and unchanged.
            (ids if identifier else out).append((start, end))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _collect_values(item, out, ids, seen, identifier=identifier)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if top and name == "conversion":
                continue
            ident = identifier or (isinstance(name, str) and is_identifier_key(name))
            _collect_values(value, out, ids, seen, identifier=ident)


# ---------------------------------------------------------------------------------------------
# Rules -{…}-

_RULE_START = "-{"
_RULE_END = "}-"
_VARIANT_TAG = re.compile(r"\s*(zh-[A-Za-z]+)\s*:")
_VARIANT_SPLIT = re.compile(r";(?=\s*zh-[A-Za-z]+\s*:)")


def parse_rule(inner: str, offset: int = 0) -> dict[str, str]:
    """Parse the inside of ``-{…}-``: ``{}`` for a protecting rule, else variant → text.

    A rule inside a rule, and a variant whose text names another variant (``；zh-CN:``, an
    input method's full-width semicolon), are errors: either would reach the page as text.
    """
    if _RULE_START in inner:
        raise RuleError(f"-{{{inner}}}- holds another -{{: rules do not nest", offset)
    if not _VARIANT_TAG.match(inner):
        return {}
    variants: dict[str, str] = {}
    for part in _VARIANT_SPLIT.split(inner):
        m = _VARIANT_TAG.match(part)
        if not m:
            raise RuleError(f"malformed conversion rule -{{{inner}}}-", offset)
        tag = {v.lower(): v for v in chinese.SCRIPTS}.get(m.group(1).lower())
        if tag is None:
            raise RuleError(
                f"unknown variant {m.group(1)!r} in -{{{inner}}}- (use zh-TW and zh-CN)", offset
            )
        if tag in variants:
            raise RuleError(f"variant {tag} given twice in -{{{inner}}}-", offset)
        variants[tag] = part[m.end() :].rstrip(";")
        stray = _STRAY_VARIANT.search(variants[tag])
        if stray:
            raise RuleError(
                f"variant {tag} of -{{{inner}}}- holds {stray.group()!r}: separate the variants "
                "with ';' (not '；')",
                offset,
            )
    return variants


#: A variant's tag inside another variant's text (after a full-width semicolon, say).
_STRAY_VARIANT = re.compile(r"zh-(?:TW|CN|tw|cn|Hant|Hans|HK)\s*:")


def _match_rule(text: str, i: int, end: int) -> Span | None:
    """A ``-{…}-`` marker starting at ``i`` (which holds ``-{``), or ``None``."""
    close = _next(text, i + 2, end, _find_rule_end)
    if close < 0:
        return None
    blank = _next(text, i + 2, end, _find_blank_line)
    if 0 <= blank < close:
        return None
    inner = text[i + 2 : close]
    variants = parse_rule(inner, i)
    return Span(i, close + 2, "rule", inner, variants)


#: The last answer of each finder: (text, end, searched from, found at). Scanners ask for
#: the next ``}-`` (or blank line) from positions that only grow, and a page of thousands of
#: unclosed ``-{`` would otherwise search to its end from each: quadratic time.
_LAST: dict = {}


def _find_rule_end(text: str, start: int, end: int) -> int:
    return text.find(_RULE_END, start, end)


def _find_blank_line(text: str, start: int, end: int) -> int:
    m = _BLANK_LINE.search(text, start, end)
    return m.start() if m else -1


def _next(text: str, start: int, end: int, find) -> int:
    """``find(text, start, end)``, answered from the last search when that already knows it."""
    last = _LAST.get(find)
    if last is not None:
        seen, seen_end, since, found = last
        if seen is text and seen_end == end and since <= start and (found < 0 or start <= found):
            return found
    found = find(text, start, end)
    _LAST[find] = (text, end, start, found)
    return found


def scan_rules(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Only the ``-{…}-`` markers of plain text (titles, labels): no Markdown scanning."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    i = text.find(_RULE_START, start, end)
    while i >= 0:
        span = _match_rule(text, i, end)
        if span is None:
            i = text.find(_RULE_START, i + 2, end)
            continue
        spans.append(span)
        i = text.find(_RULE_START, span.end, end)
    return spans


# ---------------------------------------------------------------------------------------------
# Block level

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: pymdownx.superfences' opening line (its ``RE_NESTED_FENCE_START``): a fence, then a
#: language, an attribute list or ``key="value"`` options. With its default
#: ``relaxed_headers: false``, a line whose info string is anything else (``unrecognized``:
#: ```` ```py`x ````, ```` ```C++ / notes ````) opens no fence: Python-Markdown renders it as text.
_FENCE_START = re.compile(
    r"""(?x)
    (?P<fence>~{3,}|`{3,})
    (?:[ \t]*\.?(?P<lang>[\w#.+-]+)(?=[\t ]|$))?
    (?:
        [ \t]*(\{(?P<attrs>[^\n]*)\}) |
        (?P<options>
            (?:
                (?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*(?:=(?P<quot>"|').*?(?P=quot))?)(?=[\t ]|$)
            )+
        ) |
        (?P<unrecognized>
            (?:([ \t]*[^\s]+)(?=[\t ]|$))+
        )
    )?[ \t]*$
    """
)
#: What superfences strips before a fence line: indentation and block-quote markers.
FENCE_PREFIX = " \t>"
_BQ = re.compile(r"(?:[ ]{0,3}>[ ]?)+")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
#: A reference definition, its destination on its line or the next (Python-Markdown's
#: ReferenceProcessor), matched in the text from the definition's ``[``.
_REF_DEF = re.compile(
    r"\[([^\[\]\n]{0,999})\]:[ ]*(?:\n[ ]*)?\S+"
    r"(?:[ ]+(?:\"(?P<t1>[^\"\n]*)\"|'(?P<t2>[^'\n]*)'|\((?P<t3>[^\n]*)\)))?[ ]*$",
    re.M,
)
_FOOTNOTE_DEF = re.compile(r"[ ]{0,3}\[\^[^\]\n]+\]:")
_ABBR_DEF = re.compile(r"[ ]{0,3}\*\[[^\]\n]+\]:")
_SNIPPET = re.compile(r"[ \t]*;?-{1,}8<-{1,}")
#: HTML's void elements: no end tag, no content.
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: A horizontal rule (Python-Markdown's HRProcessor): three or more ``-``, ``_`` or ``*``.
_RULE = re.compile(r"(?:(?:-[ ]{0,2}){3,}|(?:_[ ]{0,2}){3,}|(?:\*[ ]{0,2}){3,})[ ]*$")


def fence_open(content: str) -> str | None:
    """The fence (```` ``` ````, ``~~~~``...) a line opens, or ``None``: the one fence detector.

    ``content`` is the line without its indentation and block-quote markers
    (:data:`FENCE_PREFIX`); a line ending is ignored.
    """
    m = _FENCE_START.match(content.rstrip("\r\n"))
    return m.group("fence") if m is not None and not m.group("unrecognized") else None


def fence_closes(content: str, fence: str) -> bool:
    """Whether a line (indentation and quote markers removed) closes ``fence``.

    As superfences: the same run of backticks or tildes, exactly as long, then only spaces.
    """
    return content.rstrip(" \t\r\n") == fence


def indent_width(s: str) -> int:
    """Columns of leading whitespace, tabs to the next multiple of 4."""
    col = 0
    for ch in s:
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            break
    return col


def normalize_label(label: str) -> str:
    """A reference's label as Python-Markdown looks it up (ReferenceInlineProcessor):
    lower-cased, each run of white space one space."""
    return re.sub(r"\s+", " ", label.lower())


def definition_label(label: str) -> str:
    """A definition's label as Python-Markdown files it (ReferenceProcessor): stripped and
    lower-cased, its inner white space as written."""
    return label.strip().lower()


# The headings Python-Markdown renders (``blocks().headings``, ``mdtext.headings(rendered=True)``)

#: An admonition or pymdownx.details opener: its content is indented 4 more. Not
#: pymdownx.tabbed's ``===``, nor footnote definitions: mkdocs.yml enables neither, so
#: Python-Markdown renders ``=== "Tab"`` as text and ``[^1]: note`` as a reference definition.
CONTAINER = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+\S")
#: The title keeps any closing hashes and attr list: :func:`heading_title` removes them (a lazy
#: ``(.*?)[ \t]*#*[ \t]*$`` here backtracks quadratically on long runs of spaces).
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")
#: A heading as Python-Markdown reads one (its HashHeaderProcessor): hashes at the start of the
#: line (after a container's indentation), no space needed after them (``#標籤`` is a heading).
RENDERED_HEADING = re.compile(r"^(#{1,6})(.*)$")
ATTR_LIST = re.compile(r"\{[^{}]*\}\s*$")
SETEXT_RULE = re.compile(r"^(?:={1,}|-{1,})[ ]*$")
LIST_MARKER = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
#: Block-level raw HTML (Python-Markdown's own list of block-level elements): its content is
#: left alone unless the element says markdown="1" (md_in_html, :data:`MARKDOWN_ATTRIBUTE`).
HTML_BLOCK = re.compile(
    rf"^ {{0,3}}<({'|'.join(markdown.util.BLOCK_LEVEL_ELEMENTS)})(?![\w-])",
    re.I,
)
MARKDOWN_ATTRIBUTE = re.compile(r"""\smarkdown\s*=\s*["']?(?:1|block|span)["'\s/>]""", re.I)


def heading_title(raw: str) -> str:
    """A heading's title from the text after its hashes: no closing hashes, no attr list."""
    rest = raw.rstrip(" \t").rstrip("#").rstrip(" \t")
    m = ATTR_LIST.search(rest)
    if m:
        rest = rest[: m.start()]
    return rest.strip()


def _tag_depth(line: str, tag: str) -> int:
    """How many ``tag`` elements a line opens, less those it closes (none for a void
    element, ``<hr>``, which has no end)."""
    if tag in _VOID:
        return 0
    lower = line.lower()
    opened = len(re.findall(rf"<{tag}(?![\w-])", lower))
    return opened - len(re.findall(rf"</{tag}(?![\w-])", lower))


class _HeadingWalk:
    """The headings of a page as Python-Markdown renders them, fed line by line by
    :func:`blocks`: ATX headings and setext headings (the first line of a block underlined with
    ``===`` or ``---``), also inside admonitions, ``???`` details, list items and block quotes
    (the containers :func:`blocks` follows, one stack for code and headings), none inside raw
    HTML blocks or fenced code. ``found`` holds (0-based line, level, title)."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str]] = []
        self.first: str | None = None  # the line before, when it was the first line of a block
        self.block_start = True
        self.raw_tag: str | None = None
        self.raw_depth = 0  # elements of raw_tag open

    def state(self) -> tuple:
        return (len(self.found), self.first, self.block_start, self.raw_tag, self.raw_depth)

    def restore(self, state: tuple) -> None:
        found, self.first, self.block_start, self.raw_tag, self.raw_depth = state
        del self.found[found:]

    def code(self) -> None:
        """A line of fenced code (or a fence line)."""
        self.first, self.block_start = None, False

    def raw(self, line: str) -> bool:
        """Whether ``line`` belongs to an open raw HTML block (and follow it)."""
        if self.raw_tag is None:
            return False
        # as Python-Markdown's HTML parser, the block ends where its element closes
        self.raw_depth += _tag_depth(line, self.raw_tag)
        if self.raw_depth <= 0:
            self.raw_tag = None
            self.block_start = True
        return True

    def blank(self) -> None:
        self.first, self.block_start = None, True

    def line(self, i: int, rest: str, base: int, top: bool) -> None:
        """Line ``i`` (0-based), outside fenced code and raw HTML, not blank: ``rest`` is the
        line without block-quote markers, ``base`` the content indentation of the innermost
        open container, ``top`` whether the line is outside every container and quote."""
        expanded = rest.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        if indent - base <= 3 and CONTAINER.match(expanded):
            self.first, self.block_start = None, True
            return
        item = LIST_MARKER.match(expanded, base) if 0 <= indent - base <= 3 else None
        if item:
            # a list item: its first line may be a heading
            m = RENDERED_HEADING.match(expanded[item.end() :])
            if m:
                self.found.append((i, len(m.group(1)), heading_title(m.group(2))))
                self.first, self.block_start = None, True
            else:  # Python-Markdown tries setext before lists: "- item\n---" is a heading
                self.first = expanded[base:] if self.block_start else None
                self.block_start = False
            return
        raw = HTML_BLOCK.match(rest) if top else None
        if raw and not MARKDOWN_ATTRIBUTE.search(rest):
            tag = raw.group(1).lower()
            depth = _tag_depth(rest, tag)
            if depth > 0:
                self.raw_tag, self.raw_depth = tag, depth
            self.first, self.block_start = None, False
            return
        line = expanded[min(indent, base) :] if indent - base <= 3 else expanded
        if self.first is not None and SETEXT_RULE.match(line):
            title = self.first.strip()
            attrs = ATTR_LIST.search(title)
            if attrs:
                title = title[: attrs.start()].strip()
            self.found.append((i - 1, 1 if line[0] == "=" else 2, title))
            self.first, self.block_start = None, True
            return
        m = RENDERED_HEADING.match(line)
        if m:
            self.found.append((i, len(m.group(1)), heading_title(m.group(2))))
            self.first, self.block_start = None, True
        else:
            self.first = line if self.block_start else None
            self.block_start = False


@dataclass(frozen=True, slots=True)
class Blocks:
    """The block-level protected spans of a text, in order, and the reference labels defined.

    ``unclosed`` is the offset of the line opening a fence that never closes, or ``None``. As
    for pymdownx.superfences, such a fence is none: its lines and all after them are Markdown,
    and no fence opens after it. ``headings`` are the headings Python-Markdown renders, as
    (0-based line of ``text``, level, title) (see :class:`_HeadingWalk`).
    """

    spans: list[Span]
    labels: set[str]
    unclosed: int | None = None
    headings: tuple[tuple[int, int, str], ...] = ()


@functools.lru_cache(maxsize=32)
def blocks(text: str, start: int = 0) -> Blocks:
    """Block-level protected spans of ``text[start:]``: fenced and indented code, reference
    and footnote definitions, snippets. The line-level views of ``mdtext`` read it too."""
    spans: list[Span] = []
    labels: set[str] = set()
    # The one container stack, for code and headings: each open admonition, details block, list
    # item as (content indentation, lazy). A lazy one (a list item)
    # stays open under a less indented paragraph continuation line, as Python-Markdown's list
    # processor keeps it; an admonition's or details' content ends at such a line.
    containers: list[tuple[int, bool]] = []
    prev_blank = True
    in_code = False
    para_open = False
    # the line before ended its block (a heading, a rule, a setext underline): an indented
    # line after it is code, as after a blank line
    block_ended = False
    in_comment = False  # in an HTML comment that opened a block, until its -->
    fence: tuple[str, int, int] | None = None  # the fence, its opening line's offset and line
    fences = True  # until a fence never closes
    before_fence: tuple[list[tuple[int, bool]], bool, bool, tuple] = ([], True, False, ())
    unclosed: int | None = None
    walk = _HeadingWalk()
    pos = start
    n = len(text)
    lineno = text.count("\n", 0, start)
    while True:
        while pos < n:
            nl = text.find("\n", pos)
            line_end = n if nl < 0 else nl
            nxt = n if nl < 0 else nl + 1
            line = text[pos:line_end]
            i, lineno = lineno, lineno + 1
            if fence is not None:
                walk.code()
                if fence_closes(line.lstrip(FENCE_PREFIX), fence[0]):
                    spans.append(Span(fence[1], line_end, "fence"))
                    fence = None
                    prev_blank, para_open = False, False
                pos = nxt
                continue
            if in_comment:
                in_comment = "-->" not in line
                prev_blank, para_open, block_ended = False, False, not in_comment
                pos = nxt
                continue
            in_raw = walk.raw(line)
            if not line.strip():
                if not in_raw:
                    walk.blank()
                prev_blank, para_open = True, False
                pos = nxt
                continue
            m = _BQ.match(line)
            rest = line[m.end() :] if m else line
            if m and not rest.strip():  # a quote's blank line
                if not in_raw:
                    walk.blank()
                prev_blank, para_open, block_ended = True, False, False
                pos = nxt
                continue
            ended, block_ended = block_ended, False
            # tabs expand from the line's start, as Python-Markdown reads them (``> \tx``: 2)
            ind = indent_width(
                line.expandtabs(4)[len(line[: m.end()].expandtabs(4)) :] if m else rest
            )
            content = rest.lstrip(" \t")
            # a new list item or container closes the deeper ones, a continuation line only
            # those that are not lazy
            lazy = para_open and not (_LIST_ITEM.match(content) or CONTAINER.match(content))
            while containers and containers[-1][0] > ind and not (lazy and containers[-1][1]):
                containers.pop()
            base = containers[-1][0] if containers else 0
            if (
                not in_raw
                and ind >= base + 4
                and (prev_blank or in_code or ended)
                and not para_open
            ):
                walk.line(i, rest, base, not containers and not m)
                spans.append(Span(pos, line_end, "indented-code"))
                in_code, prev_blank = True, False
                pos = nxt
                continue
            in_code = False
            opened = fence_open(content) if fences else None
            if opened is not None:
                fence = (opened, pos, i)
                before_fence = (containers[:], prev_blank, para_open, walk.state())
                walk.code()
                pos = nxt
                continue
            if not in_raw and not para_open and content.startswith("<!--"):
                # a comment that starts a block: Python-Markdown's raw HTML, to its -->
                closed = "-->" in content[4:]
                in_comment = not closed and text.find("-->", pos) >= 0
                if closed or in_comment:
                    walk.blank()
                    prev_blank, para_open, block_ended = False, False, closed
                    pos = nxt
                    continue
            top = not containers and not m
            if not in_raw:
                walk.line(i, rest, base, top)
            html_line = in_raw or (top and HTML_BLOCK.match(rest) is not None)
            # a definition in a quote or container counts as at the top (Python-Markdown reads
            # it once the quote's markers and the container's indentation are taken off), and
            # on any line of a paragraph; its destination may be on the next line
            quoted = _BQ.match(content)
            at = pos + len(line) - len(content) + (quoted.end() if quoted else 0)
            after = text.find("\n", nxt)
            rm = (
                _REF_DEF.match(text, at, n if after < 0 else after)
                if ind - base <= 3 and not html_line
                else None
            )
            if rm:
                # its title (a tooltip, spoken by screen readers) is prose
                title = next((g for g in ("t1", "t2", "t3") if rm.group(g)), None)
                if title is not None:
                    spans.append(Span(at, rm.start(title), "ref-def"))
                    spans.append(Span(rm.end(title), rm.end(), "ref-def"))
                else:
                    spans.append(Span(at, rm.end(), "ref-def"))
                labels.add(definition_label(rm.group(1)))
                if rm.end() > line_end:  # the destination's line
                    lineno += 1
                    walk.blank()
                # what follows starts a block of its own: an indented line is code
                prev_blank, para_open, block_ended = False, False, True
                pos = n if rm.end() >= n else rm.end() + 1
                continue
            if _SNIPPET.match(line):
                spans.append(Span(pos, line_end, "snippet"))
                prev_blank, para_open = False, False
                pos = nxt
                continue
            fd = _FOOTNOTE_DEF.match(line) or _ABBR_DEF.match(line)
            if fd:
                spans.append(Span(pos, pos + fd.end(), "footnote"))
                prev_blank, para_open = False, True
                pos = nxt
                continue
            if html_line:  # raw HTML, or an md_in_html element's tag line
                para_open, block_ended = False, walk.raw_tag is None
            elif (
                content.startswith("#")
                or _RULE.match(content)
                or (para_open and SETEXT_RULE.match(content))
            ):
                block_ended, para_open = True, False
            elif _LIST_ITEM.match(content):
                containers.append((ind + 4, True))
                para_open = True
            elif CONTAINER.match(content):
                containers.append((ind + 4, False))
                para_open, block_ended = False, True
            else:
                para_open = True
            prev_blank = False
            pos = nxt
        if fence is None:
            return Blocks(spans, labels, unclosed, tuple(walk.found))
        # Never closed: read again from its opening line, as Markdown without fences.
        unclosed = pos = fence[1]
        lineno = fence[2]
        containers, prev_blank, para_open, walked = before_fence
        walk.restore(walked)
        fence, fences = None, False


def soft_breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The soft line breaks between two Han characters in ``text[start:end]`` that Markdown
    reads through, as (start, end) of the line break and the next line's indentation and
    block-quote markers: the next line goes on the same paragraph as the line before.

    Not such a break: after a heading's line or at a table row; where the quote depth changes
    (but for a lazy line, without markers); where the next line is indented less than the text
    of an admonition or other container before it, which such a line ends (a list item's
    paragraph goes on: a lazy line).
    """
    breaks = []
    for m in _SOFT_BREAK.finditer(text, start, end):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start : m.start()]
        after_end = text.find("\n", m.end())
        after = text[m.end() : len(text) if after_end < 0 else after_end]
        quote = _BQ.match(before)
        depth = quote.group().count(">") if quote else 0
        prefix = before[quote.end() :] if quote else before
        item = None
        while marker := LIST_MARKER.match(prefix):  # a list in a list: - 1. # heading
            item, prefix = marker, prefix[marker.end() :]
        body = prefix.lstrip(" \t")
        column = len(before[: len(before) - len(body)].expandtabs(4))
        gap = m.group(1)
        next_column = len(gap.expandtabs(4))
        if (
            body.startswith("#")
            or "|" in before
            or "|" in after
            or gap.count(">") not in (depth, 0)
            or (next_column < column and item is None and column > 3)
        ):
            continue
        breaks.append(m.span())
    return breaks


#: A line break and the next line's indentation and quote markers, between two Han characters.
_SOFT_BREAK = re.compile(
    f"(?<={chinese.HAN_CLASS})\n([ \t]*(?:>[ \t]?)*[ \t]*)(?={chinese.HAN_CLASS})"
)


# ---------------------------------------------------------------------------------------------
# Inline level

_TRIGGER = re.compile(r"[`\\<\[{]|-\{|https?://|ftp://|www\.", re.I)
_BACKTICKS = re.compile(r"`+")
#: A comment ends at ``-->``; an unclosed ``<!--`` is text (Python-Markdown prints it).
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_ELEMENT = re.compile(
    r"<(script|style|pre|code|textarea|math|svg)\b[^>]*>.*?</\1\s*>", re.S | re.I
)
#: Raw inline HTML as Python-Markdown reads it (its HTML_RE: a tag's name may hold any
#: character but white space, quotes, <, > and @, so <https://a/資料 集> is a tag, not text).
_TAG = re.compile(markdown.inlinepatterns.HTML_RE, re.S)
_CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.S)
#: A URL autolink, or an e-mail one as Python-Markdown reads it (its AUTOMAIL_RE: any local
#: part, ``<軟體@example.com>``, which a conversion must not touch).
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*|" + markdown.inlinepatterns.AUTOMAIL_RE[1:-1] + ")>"
)
#: A bare URL is plain text here (mkdocs.yml enables no magiclink), so only the URL itself is
#: protected, and it ends where a URL ends: at whitespace, ``<``/``>`` or a CJK character or
#: full-width form, which an encoded URL never holds (``https://example.com/a的說明`` is the URL
#: ``https://example.com/a`` followed by prose). An unencoded CJK path segment right after a
#: ``/``, ``=``, ``#``, ``?``, ``&``, ``_``, ``-`` or ``(`` (``…/wiki/机器学习``) belongs to the
#: URL, which then runs to whitespace or CJK punctuation (:data:`_IRI_BODY`).
_URL_BODY = re.compile(
    r"[^\s<>\u2e80-\u2fdf\u3000-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
    r"\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]+"
)
_IRI_BODY = re.compile(r"[^\s<>\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+")
_IRI_SEGMENT_START = "/=#?&_-("
_URL_TRAIL = ".,:;!?*_~'\""
_ATTR_LIST = re.compile(
    r"\{:?[ \t]*(?:[#.][\w-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s}]+))"
    r"(?:[ \t]+(?:[#.][\w-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s}]+)))*[ \t]*\}"
)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
#: What a reference's label may not hold to be converted on its own as text (``ref-text``).
_LABEL_MARKUP = re.compile(r"[`<>\[\]\\*_$&{}\n]|-\{")
_IN_MARKUP_PROSE = re.compile(r"-\{")
_TAG_ATTR = re.compile(r"""\s([^\s"'=<>`/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
#: A ``key=value`` of an attribute list (``{#id title="說明"}``), as :data:`_ATTR_LIST` reads it.
_LIST_ATTR = re.compile(r"""(?<=[\s{:])([\w-]+)=(?:"([^"\n]*)"|'([^'\n]*)'|([^\s}]+))""")


@functools.cache
def _prose_attributes() -> frozenset[str]:
    return frozenset(a.lower() for a in _markup_lists()["html_prose_attributes"])


def code_span_end(text: str, i: int, end: int) -> int | None:
    """End of the inline code span opening with the backtick run at ``i``, or ``None``.

    The one code-span finder, with Python-Markdown's semantics (``BacktickInlineProcessor.
    find_code_spans``): the first later run of as many backticks closes it; when there is
    none and every later run is shorter, the longest of them (its first) does. A span stops at
    a blank line or ``end`` (the paragraph ends there).
    """
    run = _BACKTICKS.match(text, i, end)
    assert run is not None
    n = run.end() - i
    j = run.end()
    longest, longest_end = 0, None
    while (m := _BACKTICKS.search(text, j, end)) is not None:
        if _BLANK_LINE.search(text, j, m.start()):
            break
        length = m.end() - m.start()
        if length == n:
            return m.end()
        if length > longest:
            longest, longest_end = length, m.end()
        j = m.end()
    return longest_end if 0 < longest < n else None


#: Where a code span starts: Python-Markdown's own backtick pattern (an even run of
#: backslashes before a backtick escapes only itself).
_CODE_OPENER = re.compile(markdown.inlinepatterns.BACKTICK_RE)


def code_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of the code spans of one paragraph, ``text[start:end]``, in order."""
    end = len(text) if end is None else end
    i = start
    while (m := _CODE_OPENER.search(text, i, end)) is not None:
        begin = m.end(1) if m.group(1) else m.start()
        close = code_span_end(text, begin, end)
        if close is None:
            # as Python-Markdown, the next span is looked for as many characters past the run
            run = _BACKTICKS.match(text, begin, end)
            i = min(end, 2 * run.end() - begin)
            continue
        yield begin, close
        i = close


def _skip_brackets(text: str, i: int, end: int) -> int | None:
    """Index of the ``]`` matching the ``[`` at ``i`` (code spans and escapes skipped)."""
    depth = 0
    j = i
    while j < end:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            close = code_span_end(text, j, end)
            if close is not None:
                j = close
                continue
            run = _BACKTICKS.match(text, j, end)
            j = run.end() if run else j + 1
            continue
        if ch == "\n" and text.startswith("\n", j + 1):
            return None
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def _link_target_end(text: str, i: int, end: int) -> tuple[int, int, int] | None:
    """With ``text[i] == '('``, the end of an inline link destination + title + ``)``.

    Returns (end, title start, title end): the title's text between its quotes (readers see it
    as a tooltip, screen readers speak it), empty when there is none.
    """
    j = i + 1
    while j < end and text[j] in " \t\n":
        j += 1
    if j < end and text[j] == "<":
        close = text.find(">", j, end)
        if close < 0 or "\n" in text[j:close]:
            return None
        j = close + 1
    else:
        depth = 0
        while j < end:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch in " \t\n":
                break
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
    while j < end and text[j] in " \t\n":
        j += 1
    title = (j, j)
    if j < end and text[j] == "(":
        # Python-Markdown reads no (title) in an inline link: up to the closing ``)`` is all
        # destination (``<a.md> (說明)`` is the href ``<a.md> (說明)``)
        depth = 0
        while j < end:
            if text[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            if depth < 0:
                return j + 1, *title
            j += 1
        return None
    if j < end and text[j] in "\"'":
        closer = text[j]
        k = j + 1
        while k < end and text[k] != closer:
            k += 2 if text[k] == "\\" else 1
        if k >= end:
            return None
        title = (j + 1, k)
        j = k + 1
        while j < end and text[j] in " \t\n":
            j += 1
    if j < end and text[j] == ")":
        return j + 1, *title
    return None


def _url_end(text: str, i: int, end: int) -> int:
    """End of a bare URL starting at ``i``: trailing punctuation and unbalanced ``)`` dropped."""
    m = _URL_BODY.match(text, i, end)
    j = m.end() if m else i
    if i < j < end and text[j - 1] in _IRI_SEGMENT_START and not _URL_BODY.match(text, j, j + 1):
        m = _IRI_BODY.match(text, j, end)
        j = m.end() if m else j
    while j > i:
        ch = text[j - 1]
        if ch in _URL_TRAIL:
            j -= 1
        elif ch == ")" and text.count("(", i, j) < text.count(")", i, j):
            j -= 1
        else:
            break
    return j


class _Inline:
    """Leftmost-construct-wins scanner for the inline constructs of one prose region."""

    def __init__(self, text: str, labels: set[str]) -> None:
        self.text = text
        self.labels = labels
        self.spans: list[Span] = []

    def add(self, start: int, end: int, kind: str) -> None:
        if end > start:
            self.spans.append(Span(start, end, kind))

    def prose(self, start: int, end: int) -> None:
        """Text inside markup that readers see (a link title, an alt attribute): prose, with
        its ``-{…}-`` rules found as everywhere else."""
        text = self.text
        i = start
        while (m := _IN_MARKUP_PROSE.search(text, i, end)) is not None:
            span = _match_rule(text, m.start(), end)
            if span is not None:
                self.spans.append(span)
            i = span.end if span is not None else m.end()

    def scan(self, i: int, end: int) -> None:
        """Scan ``text[i:end]``, appending spans in order."""
        text = self.text
        while True:
            m = _TRIGGER.search(text, i, end)
            if m is None:
                return
            i = m.start()
            nxt = self.construct(i, end)
            i = nxt if nxt is not None else i + 1

    def construct(self, i: int, end: int) -> int | None:
        """Try every construct starting at ``i``; return where scanning resumes."""
        text = self.text
        ch = text[i]
        if ch == "\\":  # an escaped character is text (``\[``, ``\```)
            return i + 2
        if ch == "`":
            close = code_span_end(text, i, end)
            if close is None:
                run = _BACKTICKS.match(text, i, end)
                return run.end() if run else i + 1
            self.add(i, close, "code")
            return close
        if text.startswith("-{", i):
            span = _match_rule(text, i, end)
            if span is None:
                return None
            self.spans.append(span)
            return span.end
        if ch == "<":
            for rx, kind in (
                (_COMMENT, "comment"),
                (_CDATA, "html"),
                (_AUTOLINK, "autolink"),
                (_RAW_ELEMENT, "html"),
                (_TAG, "tag"),
            ):
                mm = rx.match(text, i, end)
                if mm and kind == "comment" and _BLANK_LINE.search(mm.group()):
                    # across a blank line only from the start of a line (a raw HTML block)
                    line = text[text.rfind("\n", 0, i) + 1 : i]
                    mm = mm if not line.strip(" \t>") else None
                if mm and kind == "tag":
                    self.tag(i, mm.end())
                    return mm.end()
                if mm:
                    self.add(i, mm.end(), kind)
                    return mm.end()
            return None
        if ch == "{":
            mm = _ATTR_LIST.match(text, i, end)
            if mm:
                self.attributes(i, mm.end(), _LIST_ATTR, "attr")
                return mm.end()
            return None
        if ch == "[":
            return self.link(i, end)
        # bare URL
        prev = text[i - 1] if i else " "
        if (prev.isascii() and prev.isalnum()) or prev in "/@.":
            return None
        url_end = _url_end(text, i, end)
        self.add(i, url_end, "url")
        return url_end

    def tag(self, i: int, end: int) -> None:
        """A raw HTML tag: protected, except the values of attributes readers see."""
        if self.text[i + 1].isalpha():
            self.attributes(i, end, _TAG_ATTR, "html")
        else:
            self.add(i, end, "html")

    def attributes(self, i: int, end: int, attribute: re.Pattern[str], kind: str) -> None:
        """A tag or attribute list: protected as ``kind``, except the values of attributes
        readers see (alt, title, aria-label...: ``html_prose_attributes`` in
        ``locales/glossary/protected-keys.yaml``)."""
        text = self.text
        pos = i
        prose = _prose_attributes()
        for m in attribute.finditer(text, i, end):
            if m.group(1).lower() not in prose:
                continue
            g = next(g for g in (2, 3, 4) if m.group(g) is not None)
            if m.end(g) > m.start(g):
                self.add(pos, m.start(g), kind)
                self.prose(m.start(g), m.end(g))
                pos = m.end(g)
        self.add(pos, end, kind)

    def link(self, i: int, end: int) -> int | None:
        """A link, image, reference or footnote whose ``[`` is at ``i``."""
        text = self.text
        fm = _FOOTNOTE_REF.match(text, i, end)
        if fm:
            self.add(i, fm.end(), "footnote")
            return fm.end()
        close = _skip_brackets(text, i, end)
        if close is None:
            return None
        after = close + 1
        if after < end and text[after] == "(":
            target = _link_target_end(text, after, end)
            if target is not None:
                target_end, title_start, title_end = target
                self.scan(i + 1, close)
                if title_end > title_start:
                    self.add(close, title_start, "link-target")
                    self.prose(title_start, title_end)
                    self.add(title_end, target_end, "link-target")
                else:
                    self.add(close, target_end, "link-target")
                return target_end
        # [text][label], or [text] [label] (Python-Markdown allows one white-space character)
        if after + 1 < end and text[after] in " \t\n" and text[after + 1] == "[":
            after += 1
        if after < end and text[after] == "[":
            label_close = text.find("]", after + 1, end)
            if label_close >= 0 and "[" not in text[after + 1 : label_close]:
                label = text[after + 1 : label_close]
                if label.strip():
                    self.scan(i + 1, close)
                    self.add(close, label_close + 1, "ref-label")
                    return label_close + 1
                if normalize_label(text[i + 1 : close]) in self.labels:
                    self.reference(i, close, label_close + 1)
                    return label_close + 1
        if normalize_label(text[i + 1 : close]) in self.labels:
            self.reference(i, close, close + 1)
            return close + 1
        return None

    def reference(self, i: int, close: int, end: int) -> None:
        """A shortcut or collapsed reference ``[label]`` / ``[label][]`` (``text[i:end]``):
        ``ref-text`` when its label is plain text, ``ref-label`` (kept whole) when it holds
        markup, which a conversion on its own could not keep."""
        text = self.text
        label = text[i + 1 : close]
        before = text[text.rfind("\n", 0, i) + 1 : i]
        nested = before.count("[") > before.count("]") or text.startswith("]", end)
        if _LABEL_MARKUP.search(label) or nested:
            self.add(i, end, "ref-label")
        else:
            self.spans.append(Span(i, end, "ref-text", inner=label))


def scan(text: str) -> list[Span]:
    """All protected spans and rule spans of a Markdown page, sorted and non-overlapping."""
    spans: list[Span] = []
    body = 0
    fm = split_front_matter(text)
    if fm is not None:
        body = fm.end
        pos = 0
        pieces = [(s, e, False) for s, e in fm.values] + [(s, e, True) for s, e in fm.identifiers]
        for start, end, identifier in sorted(pieces):
            spans.append(Span(pos, start, "front-matter"))
            if identifier:
                spans.append(Span(start, end, "identifier"))
            else:
                spans.extend(scan_rules(text, start, end))
            pos = end
        spans.append(Span(pos, fm.end, "front-matter"))
    found = blocks(text, body)
    inline = _Inline(text, found.labels)
    pos = body
    for block in found.spans:
        inline.scan(pos, block.start)
        inline.spans.append(block)
        pos = block.end
    inline.scan(pos, len(text))
    spans.extend(inline.spans)
    return [s for s in spans if s.end > s.start or s.is_rule]
