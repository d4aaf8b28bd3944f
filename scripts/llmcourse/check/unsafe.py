"""Unsafe HTML outside code: active tags, event attributes, script and data URLs."""

from __future__ import annotations

import html
import re

from llmcourse import mdtext
from llmcourse.check.report import FileReport, Positions

UNSAFE_TAGS = {
    "script": "runs code in the reader's browser",
    "iframe": "embeds another site's page",
    "frame": "embeds another site's page",
    "frameset": "embeds other pages",
    "object": "embeds plugin content that can run code",
    "embed": "embeds plugin content that can run code",
    "applet": "embeds plugin content that can run code",
    "style": "restyles the whole site",
    "form": "can send readers' input elsewhere",
    "base": "redirects every relative link of the page",
    "meta": "can redirect or reconfigure the page",
    "link": "loads stylesheets or scripts into the page",
}
UNSAFE_TAG = re.compile(r"<[ \t]{0,3}(" + "|".join(UNSAFE_TAGS) + r")(?![A-Za-z0-9_:-])", re.I)
EVENT_ATTR = re.compile(r"(?<![\w.:-])(on[a-z]{2,40})[ \t\r\n]{0,20}=", re.I)
#: DOM event handler names (HTML, SVG, CSS animations, pointer, touch): ``on`` + each is
#: rejected anywhere outside code, since quoting tricks can hide where a tag really starts.
#: Other ``on…=`` words count only inside an HTML tag (prose may say ``online = true``).
EVENTS = frozenset(
    """abort activate afterprint animationcancel animationend animationiteration animationstart
    auxclick beforecopy beforecut beforeinput beforematch beforepaste beforeprint beforetoggle
    beforeunload begin blur cancel canplay canplaythrough change click close contextlost
    contextmenu contextrestored copy cuechange cut dblclick drag dragend dragenter dragexit
    dragleave dragover dragstart drop durationchange emptied end ended error focus focusin
    focusout formdata fullscreenchange fullscreenerror gotpointercapture hashchange input
    invalid keydown keypress keyup languagechange load loadeddata loadedmetadata loadend
    loadstart lostpointercapture message messageerror mousedown mouseenter mouseleave
    mousemove mouseout mouseover mouseup mousewheel offline online pagehide pagereveal
    pageshow pageswap paste pause play playing pointercancel pointerdown pointerenter
    pointerleave pointermove pointerout pointerover pointerrawupdate pointerup popstate
    progress ratechange readystatechange rejectionhandled repeat reset resize scroll scrollend
    search securitypolicyviolation seeked seeking select selectionchange selectstart show
    slotchange stalled storage submit suspend timeupdate toggle touchcancel touchend
    touchmove touchstart transitioncancel transitionend transitionrun transitionstart
    unhandledrejection unload volumechange waiting webkitanimationend
    webkitanimationiteration webkitanimationstart webkittransitionend wheel zoom""".split()
)


def inside_tag(text: str, pos: int) -> bool:
    """Whether ``pos`` follows an opened ``<tag`` (within 2000 characters) not yet closed."""
    start = max(0, pos - 2000)
    lt = text.rfind("<", start, pos)
    if lt < 0 or not text[lt + 1 : lt + 2].isalpha():
        return False
    return text.find(">", lt, pos) < 0


URL_ATTR = re.compile(
    r"(?<![\w.:-])(href|src|srcset|action|formaction|xlink:href|poster|background|data|"
    r"lowsrc|dynsrc|codebase|cite|ping|values|to|from|by)[ \t\r\n]{0,20}=[ \t\r\n]{0,20}"
    r"([\"']?)([^\"'<>]{0,200})",
    re.I,
)
MD_URL = re.compile(r"\]\([ \t]{0,20}<?([^)>\n]{0,200})")
REF_DEF = re.compile(r"^[ ]{0,3}\[[^\]\n]{1,999}\]:[ \t]{0,20}<?([^ \t\n>]{0,200})", re.M)
UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def unsafe_scheme(url: str) -> str | None:
    """The dangerous scheme of a URL as a browser reads it (entities, tabs, case), or None."""
    value = _URL_NOISE.sub("", html.unescape(url)).lower()
    head, sep, _ = value.partition(":")
    return head if sep and head in UNSAFE_SCHEMES else None


def masked_text(lines: list[str], mask: list[bool]) -> str:
    """The text with fenced code and inline code blanked out (same offsets)."""
    return "\n".join(mdtext.blank_code(lines, mask))


def unsafe_html(text: str) -> list[tuple[int, str, str]]:
    """(offset, message, hint) of every unsafe construct in already-masked text."""
    found: list[tuple[int, str, str]] = []
    code_hint = "remove it; to show it as an example, put it in `code` or a fenced block"
    for m in UNSAFE_TAG.finditer(text):
        tag = m.group(1).lower()
        found.append((m.start(), f"unsafe HTML: <{tag}> {UNSAFE_TAGS[tag]}", code_hint))
    for m in EVENT_ATTR.finditer(text):
        name = m.group(1).lower()
        if name[2:] in EVENTS or inside_tag(text, m.start()):
            found.append((m.start(), f"unsafe HTML: event attribute {name}= runs code", code_hint))
    for m in URL_ATTR.finditer(text):
        value = m.group(3) if m.group(2) else m.group(3).split(None, 1)[0] if m.group(3) else ""
        scheme = unsafe_scheme(value)
        if scheme:
            found.append(
                (
                    m.start(3),
                    f"unsafe URL: {scheme}: in {m.group(1)}=",
                    "link to an https:// page or a file in docs/ instead",
                )
            )
    for rx in (MD_URL, REF_DEF):
        for m in rx.finditer(text):
            scheme = unsafe_scheme(m.group(1))
            if scheme:
                found.append(
                    (
                        m.start(1),
                        f"unsafe URL: {scheme}: link",
                        "link to an https:// page or a file in docs/ instead",
                    )
                )
    found.sort()
    return found


def unsafe_problems(text: str) -> list[tuple[int, int, str]]:
    """(line, col, message) of the unsafe HTML of a whole page (front matter and code skipped)."""
    try:
        _, body, skipped = mdtext.split_front_matter(text)
    except mdtext.FrontMatterError:
        body, skipped = text, 0
    lines = body.splitlines()
    report = FileReport("<text>")
    check_unsafe(masked_text(lines, mdtext.code_mask(lines)), skipped + 1, report)
    return [(p.line, p.col, p.message) for p in report.finish()]


def check_unsafe(masked: str, first: int, report: FileReport) -> None:
    """Report :func:`unsafe_html` findings; ``first`` is the file line of the text's line 1."""
    where = Positions(masked)
    for offset, message, hint in unsafe_html(masked):
        line, col = where.at(offset)
        if not report.add(line + first - 1, col, message, hint, kind="unsafe HTML"):
            break
