"""Rendered page HTML made safe: html_policy.yml applied with nh3, and what it removed, explained.

Every page's HTML goes through :func:`clean` in the build (``hooks/sanitize.py``), so a page
that skipped ``course.py check`` still ships no script, event handler, ``javascript:`` URL,
frame, object, style element or positioned overlay. :func:`clean` also returns a
:class:`Finding` for each thing it removed, which the strict build and ``check`` report as
``file:line:col`` (:func:`locate` finds the place in the page's source). Front-matter values
reach templates through :func:`escape_meta`.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import nh3
from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import fromstring as defused_fromstring
from markupsafe import Markup, escape

from llmcourse import mdtext, yamlfile

POLICY = Path(__file__).with_name("html_policy.yml")
#: Attributes whose value is a URL.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "cite",
        "xlink:href",
        "action",
        "formaction",
        "poster",
        "background",
        "srcset",
        "ping",
        "longdesc",
    }
)
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]{0,30}):")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
#: A URL that loads from another host (backslashes read as slashes, as browsers do):
#: protocol-relative, or http(s) with or without the slashes (``https:host/x.png``)
_REMOTE = re.compile(r"//|https?:")
_MARKUP = re.compile(r"<[A-Za-z/!?]")
_STYLE_PROPERTY = re.compile(r"(?:^|;)\s*([-a-zA-Z]+)\s*:")
# html.unescape's reference pattern, and what the spelling comparison ignores
_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_SELF_CLOSING = re.compile(r"\s*/>")
_PLAIN_COMMENT = re.compile(r"<!--(?:[^<>!-]|-(?!-))*-->")
_STYLE_ATTRIBUTE = re.compile(r"style\s*=", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing the sanitizer removed: what to look for in the source, and what it was."""

    needle: str
    message: str
    #: where it is in the source, as a regular expression (its group "at" if it has one)
    pattern: str = ""


def clean(html: str) -> tuple[str, list[Finding]]:
    """The page HTML with everything outside the policy removed, and what was removed.

    What ships is always nh3's output. The explanation (an html.parser walk, the slow part)
    is only worked out when nh3 changed more than the spelling: see :func:`_spelled_alike`.
    """
    cleaned = nh3.clean(html, **_options())
    if _spelled_alike(html, cleaned):
        return cleaned, []
    walker = _Explainer.walk(html)
    findings = walker.found
    if not findings and cleaned != _permissive(html, walker.seen):
        findings = [Finding("<", "markup the sanitizer removed (malformed or unusual HTML)")]
    return cleaned, findings


def _spelled(text: str) -> str:
    """A pattern for ``text`` as HTML may spell it in a URL: each character itself or a
    character reference (``&#106;avascript``), with the tabs and line breaks browsers drop from
    URLs between them (``java&#9;script``)."""
    dropped = r"(?:[\t\n\r]|&#0*(?:9|10|13);?|&#x0*(?:9|a|d);?|&Tab;|&NewLine;)*"
    return dropped.join(
        rf"(?:{re.escape(c)}|&#0*{ord(c)};?|&#x0*{ord(c):x};?"
        + ("|&colon;" if c == ":" else "")
        + ")"
        for c in text
    )


def _spelled_alike(html: str, cleaned: str) -> bool:
    """Whether nh3 kept everything and only re-spelled it, as it writes any HTML out.

    Both sides compared with character references decoded (but ``<`` and ``&`` kept
    escaped, so text never reads as markup), ``" />"`` as ``">"``, ``</br>`` as ``<br>``,
    simple comments (no ``<``, ``>``, ``!`` or ``--`` inside, the same for every parser)
    dropped, and lower case (nh3 writes names in lower case, SVG's camel-cased). Every
    element, attribute and text of the page is then in nh3's output unchanged: nothing was
    removed, so the html.parser walk would find nothing either. A ``style`` attribute never
    compares alike (nh3 rewrites the declarations), so it always gets the walk, whose check
    of style properties is not nh3's. The cases: tests/cases/sanitize/.
    """
    if _STYLE_ATTRIBUTE.search(html):
        return False
    return _respelled(html) == _respelled(cleaned)


def _respelled(html: str) -> str:
    if "&" in html:
        html = _REFERENCE.sub(_decoded_reference, html)
    html = _PLAIN_COMMENT.sub("", _SELF_CLOSING.sub(">", html))
    return html.replace("</br>", "<br>").lower()


def _decoded_reference(match: re.Match) -> str:
    text = unescape(match.group(0))
    return text.replace("&", "&amp;").replace("<", "&lt;")


def locate(
    source: str, finding: Finding, taken: set[int], *, markdown: bool = True
) -> tuple[int, int]:
    """1-based line and column in the source of the first match of a finding not yet reported.

    Its pattern (the markup as written) is tried first, then its bare needle; a finding made
    from entities or other indirection that matches neither is placed at 1:1. In a Markdown
    page, a match in code or front matter comes last: neither renders as markup, so a lookalike
    there (an example in a code span, a fence's own attribute list) is not what was removed.
    """
    places = [_rendered_only(source), source] if markdown else [source]
    at = -1
    for text in places:
        at = _first_free(text, finding, taken)
        if at >= 0:
            break
    if at < 0:
        return 1, 1
    taken.add(at)
    return mdtext.line_col(source, at)


def _first_free(text: str, finding: Finding, taken: set[int]) -> int:
    for m in re.finditer(finding.pattern, text, re.I | re.M) if finding.pattern else ():
        start = m.start("at") if "at" in m.groupdict() else m.start()
        if start not in taken:
            return start
    if not finding.needle:
        return -1
    lowered, needle = text.lower(), finding.needle.lower()
    at = lowered.find(needle)
    while at >= 0 and at in taken:
        at = lowered.find(needle, at + 1)
    return at


@functools.lru_cache(maxsize=8)
def _rendered_only(source: str) -> str:
    """A page's source with its front matter and code blanked out, offsets kept."""
    lines = source.split("\n")
    try:
        skipped = mdtext.split_front_matter(source)[2]
    except mdtext.FrontMatterError:
        skipped = 0
    out = [" " * len(line) for line in lines[:skipped]]
    out += mdtext.blank_code(lines[skipped:])
    return "\n".join(out)


def escape_meta(value):
    """Front-matter values as templates may print them: every text HTML-escaped (Markup).

    Mappings keep their shape (keys escaped too), lists stay lists, sets and other YAML
    collections become lists; numbers, booleans, dates and null stay as they are; anything
    else becomes its escaped text, so no value prints raw markup whatever its YAML type.
    """
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {escape_meta(k): escape_meta(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [escape_meta(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, datetime.date)):
        return value
    return escape(str(value))


def escape_titles(items: list) -> None:
    """Escape the title of every section and link of a navigation, pages included, once."""
    for item in items:
        if getattr(item, "title", None) is not None:
            item.title = escape_text(item.title)
        escape_titles(getattr(item, "children", None) or [])


def plain(value: object) -> str:
    """Text as written, for code that escapes it itself (an escaped title unescaped once)."""
    return value.unescape() if isinstance(value, Markup) else str(value)


def markup_in_meta(meta: dict) -> list[Finding]:
    """Front-matter values (or keys) that hold HTML: templates show them as text, never markup."""
    found: list[Finding] = []
    for key, value in meta.items():
        if _MARKUP.search(_flat(key) + " " + _flat(value)):
            found.append(
                Finding(
                    f"{key}:",
                    f"front matter {key} holds HTML, which is shown as text",
                    rf"^\s*(?P<at>{re.escape(str(key))})\s*:",
                )
            )
    return found


def key_finding(key: object, message: str) -> Finding:
    """A finding about a top-level front-matter key, placed at the key."""
    return Finding(f"{key}:", message, rf"^(?P<at>{re.escape(str(key))})[ \t]*:")


def unknown_keys(keys: list) -> list[Finding]:
    """Front-matter keys a page may not have (``template``, ``redirect``…): dropped unread."""
    return [key_finding(key, f"unknown key {str(key)!r}, ignored") for key in keys]


def escape_toc(links: list) -> list[Finding]:
    """Escape, in place, the ids of a table of contents that hold markup characters.

    An id written by the page (``{#…}``, ``id="…"``, entities decoded by md_in_html) reaches the
    theme's table of contents raw (Material prints ``href="{{ toc_item.url }}"``): escaped,
    the link still leads to the heading, whose own ``id`` the sanitizer wrote escaped.
    """
    found: list[Finding] = []
    for link in links:
        if _ID_MARKUP.search(link.id):
            title = re.escape(unescape(plain(link.title)))
            found.append(
                Finding(
                    link.id,
                    f"heading id {link.id!r} holds markup characters (shown escaped)",
                    rf"(?:^[ \t]{{0,3}}#{{1,6}}[ \t]+|<h[1-6]\b[^>]*>\s*)(?P<at>{title})",
                )
            )
            link.id = str(escape(link.id))
        found += escape_toc(link.children)
    return found


_ID_MARKUP = re.compile(r"[\"'<>&]")


def _flat(value: object) -> str:
    """Every text inside a YAML value, keys included."""
    if isinstance(value, dict):
        return " ".join(_flat(k) + " " + _flat(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return " ".join(_flat(v) for v in value)
    return str(value)


def escape_text(value: object) -> Markup:
    """A title or other plain text, escaped once for templates that print it raw."""
    return escape(value if isinstance(value, str) else str(value))


# ---------------------------------------------------------------------------------------------
# The policy


@functools.cache
def policy() -> dict:
    """html_policy.yml, read once."""
    return yamlfile.read(POLICY)


@functools.cache
def _options() -> dict:
    p = policy()
    attributes = {
        tag: set(names) | {n.lower() for n in names} for tag, names in p["attributes"].items()
    }
    attributes["*"] = set(p["generic_attributes"])
    return {
        "tags": set(p["tags"]),
        "clean_content_tags": set(p["remove_with_content"]),
        "attributes": attributes,
        "generic_attribute_prefixes": {"data-"},
        "url_schemes": set(p["url_schemes"]) | {"data"},  # data: narrowed by _filter
        "attribute_filter": _filter,
        "filter_style_properties": set(p["style_properties"]),
        "link_rel": None,
        "strip_comments": True,
    }


@functools.cache
def _allowed(tag: str) -> frozenset[str]:
    p = policy()
    names = [*p["generic_attributes"], *p["attributes"].get(tag, [])]
    return frozenset(n.lower() for n in names)


@functools.cache
def _sets() -> dict:
    """The policy's lists as the per-attribute checks use them (tuples for startswith)."""
    p = policy()
    return {
        "tags": frozenset(p["tags"]),
        "remove_with_content": frozenset(p["remove_with_content"]),
        "style_properties": frozenset(p["style_properties"]),
        "url_schemes": frozenset(p["url_schemes"]),
        "data_image_types": frozenset(p["data_image_types"]),
        "reserved_id_prefixes": tuple(p["reserved_id_prefixes"]),
        "reserved_class_prefixes": tuple(p["reserved_class_prefixes"]),
        "allowed_reserved_classes": frozenset(p["allowed_reserved_classes"]),
        "reserved_data_prefixes": tuple(p["reserved_data_prefixes"]),
        "allowed_reserved_data": frozenset(p["allowed_reserved_data"]),
    }


def _filter(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: the parts of the policy that depend on the value."""
    problem = _value_problem(tag, attribute, value)
    if problem is None:
        return value
    if attribute == "class":
        kept = [c for c in value.split() if not _reserved_class(c)]
        return " ".join(kept) or None
    return None


def _value_problem(tag: str, attribute: str, value: str) -> str | None:
    """Why an allowed attribute's value is not (None when it is fine)."""
    p = _sets()
    if attribute in URL_ATTRIBUTES:
        url = _URL_NOISE.sub("", value).lower()
        scheme = _SCHEME.match(url)
        if tag == "img" and attribute == "src" and _REMOTE.match(url.replace("\\", "/")):
            return f"image from another host in src= on <{tag}> (copy it into docs/)"
        if scheme is None or "/" in url[: scheme.start(1)]:
            return None
        name = scheme.group(1)
        if name in p["url_schemes"]:
            return None
        if name == "data" and tag == "img" and attribute == "src":
            mime = url[5:].split(";", 1)[0].split(",", 1)[0]
            if mime in p["data_image_types"]:
                return None
        return f"{name}: URL in {attribute}= on <{tag}>"
    if attribute == "rel" and "opener" in value.lower().split():
        return f"rel=opener on <{tag}> (the linked page could move this one)"
    if attribute in ("id", "for", "aria-describedby", "aria-labelledby") and value.startswith(
        p["reserved_id_prefixes"]
    ):
        return f"reserved {attribute} '{value}' on <{tag}> (the theme's own)"
    if attribute == "class":
        reserved = [c for c in value.split() if _reserved_class(c)]
        if reserved:
            return f"reserved class '{reserved[0]}' on <{tag}> (the theme's own)"
    if (
        attribute.startswith(p["reserved_data_prefixes"])
        and attribute not in p["allowed_reserved_data"]
    ):
        return f"reserved attribute {attribute}= on <{tag}> (the theme's own)"
    return None


def _reserved_class(name: str) -> bool:
    p = _sets()
    return (
        name.startswith(p["reserved_class_prefixes"]) and name not in p["allowed_reserved_classes"]
    )


def _permissive(html: str, elements: list[tuple[str, list[tuple[str, str | None]]]]) -> str:
    """The HTML as nh3 serialises it with nothing removed (comments aside), for comparison."""
    tags, names, schemes, properties = set(), set(), set(), set()
    for tag, attrs in elements:
        tags.add(tag)
        for name, value in attrs:
            names.add(name)
            if name == "style":  # nh3 respaces the declarations it filters: filter them all
                properties.update(prop.lower() for prop in _STYLE_PROPERTY.findall(value or ""))
            if value and ":" in value:  # a scheme needs one
                scheme = _SCHEME.match(_URL_NOISE.sub("", value).lower())
                if scheme:
                    schemes.add(scheme.group(1))
    return nh3.clean(
        html,
        tags=tags | set(policy()["tags"]),
        clean_content_tags=set(),
        # SVG attribute names come back camel-cased (viewBox): name the policy's as written
        attributes={"*": names | {n for ns in policy()["attributes"].values() for n in ns}},
        generic_attribute_prefixes={"data-"},
        url_schemes=schemes | set(policy()["url_schemes"]),
        link_rel=None,
        strip_comments=True,
        filter_style_properties=properties | set(policy()["style_properties"]),
    )


class _Explainer(HTMLParser):
    """Walks the HTML and says, for each element and attribute, what the policy removes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Finding] = []
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    @classmethod
    def walk(cls, html: str) -> _Explainer:
        """The walker after reading ``html``: what it found, and every element it saw."""
        walker = cls()
        walker.feed(html)
        walker.close()
        return walker

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))
        p = _sets()
        if tag in p["remove_with_content"]:
            element = rf"<\s*{re.escape(tag)}\b"
            self.found.append(
                Finding(f"<{tag}", f"<{tag}> element removed with its content", element)
            )
            return
        if tag not in p["tags"]:
            element = rf"<\s*{re.escape(tag)}\b"
            self.found.append(
                Finding(f"<{tag}", f"<{tag}> element removed (its text stays)", element)
            )
            return
        allowed = _allowed(tag)
        for name, value in attrs:
            if name not in allowed and not name.startswith("data-"):
                # in the tag as written, or in an attribute list {: name=… }
                attribute = (
                    rf"(?:<\s*{re.escape(tag)}\b[^>]*?|\{{:?[^}}\n]*?)"
                    rf"(?<![\w-])(?P<at>{re.escape(name)})\s*="
                )
                self.found.append(Finding(name, f"attribute {name}= on <{tag}> removed", attribute))
                continue
            if name == "style":
                for prop in _STYLE_PROPERTY.findall(value or ""):
                    if prop.lower() not in p["style_properties"]:
                        where = rf"style\s*=[^>]*?(?<![\w-])(?P<at>{re.escape(prop)})\s*:"
                        self.found.append(Finding(prop, f"style property {prop} removed", where))
                continue
            problem = _value_problem(tag, name, value or "")
            if problem is not None:
                if " URL in " in problem:
                    scheme = problem.split(":", 1)[0]
                    where = rf"(?P<at>{_spelled(scheme)}){_spelled(':')}"
                    self.found.append(Finding(scheme + ":", f"{problem} removed", where))
                else:
                    self.found.append(Finding(value or name, f"{problem} removed"))


# ---------------------------------------------------------------------------------------------
# SVG files


#: Elements an SVG image published from docs/ may not have (it runs scripts when opened).
SVG_ACTIVE = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "set",
        "animate",
        "animatemotion",
        "animatetransform",
    }
)


def svg_findings(text: str) -> list[Finding]:
    """What makes an SVG file active: scripts, event handlers, links to anything but itself.

    The file is read as browsers read an SVG, as namespaced XML (defusedxml: no entity
    declarations): an element is what its namespace makes it, whatever its prefix
    (``<h:script xmlns:h="…xhtml">``, ``<svg:script>``), and so is an attribute
    (``l:href`` with ``l`` bound to XLink). Processing instructions (``<?xml-stylesheet?>``)
    and CSS that loads anything (``url()`` to another file, ``@import``) count too.
    """
    found = [
        Finding(m.group(0), f"processing instruction <?{m.group(1)}?> (loads a stylesheet)")
        for m in _PROCESSING_INSTRUCTION.finditer(text)
    ]
    try:
        root = defused_fromstring(text, forbid_dtd=False)
    except EntitiesForbidden:
        return [*found, Finding("<!ENTITY", "entity declaration (the DTD can hide markup)")]
    except (DefusedXmlException, ElementTree.ParseError) as exc:
        return [*found, Finding("<", f"not well-formed XML ({exc})")]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        space, tag = _qualified(element.tag)
        element_at = rf"<\s*(?:[\w.-]+:)?{re.escape(tag)}\b"
        if space == XHTML or (space in (SVG, "") and tag.lower() in SVG_ACTIVE):
            found.append(Finding(f"<{tag}", f"<{tag}> element", element_at))
        css = "".join(element.itertext())  # u<g/>rl( is url( to a browser
        if tag == "style" and _LOADING_CSS.search(_css_text(css)):
            found.append(Finding("<style", "<style> loads another file (url() or @import)"))
        for name, value in element.attrib.items():
            _, attribute = _qualified(name)
            where = rf"(?:[\w.-]+:)?(?P<at>{re.escape(attribute)})\s*="
            if attribute.lower().startswith("on"):
                found.append(Finding(attribute, f"event handler {attribute}= on <{tag}>", where))
            elif attribute == "href" and not value.strip().startswith("#"):
                found.append(
                    Finding(value or attribute, f"link {attribute}= to {value!r} on <{tag}>")
                )
            elif "javascript:" in _URL_NOISE.sub("", value).lower():
                found.append(Finding(attribute, f"javascript: in {attribute}= on <{tag}>", where))
            elif _LOADING_CSS.search(_css_text(value)):  # style=, fill=, filter=, mask=…
                found.append(Finding(value, f"{attribute}= on <{tag}> loads another file (url())"))
    return found


SVG = "http://www.w3.org/2000/svg"
XHTML = "http://www.w3.org/1999/xhtml"
_PROCESSING_INSTRUCTION = re.compile(r"<\?(?!xml[\s?])([\w.:-]+)")
#: CSS that fetches: url() to anything but a fragment of the file itself, @import, image-set()
#: and the other image functions that take a URL string
_LOADING_CSS = re.compile(
    r"url\(\s*+(?!['\"]?\s*#)|@import|(?:-webkit-)?image-set\(|\bimage\(|cross-fade\(", re.I
)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _css_text(css: str) -> str:
    """CSS as the browser reads it: escapes decoded (``\\75 rl(`` is ``url(``), comments gone."""

    def decoded(m: re.Match) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return m.group(2)

    return _CSS_ESCAPE.sub(decoded, _CSS_COMMENT.sub("", css))


def _qualified(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        space, _, local = name[1:].partition("}")
        return space, local
    return "", name
