"""``course.py check``: every problem of docs/ and locales/, as ``file:line:col: message``.

One command for a maintainer's machine, pre-commit (given the changed files) and CI. Each
problem is printed as ``file:line:col: message (hint: one-line fix)``; the exit status is 1 when
there is any, 0 when there is none, 2 on a usage error (a path that does not exist).

Checks, per file:

* **encoding** - UTF-8 without byte order mark, no U+FFFD, no mojibake (the repair machinery of
  :mod:`llmcourse.repair` run in check mode), not binary;
* **emoji** - no split ZWJ sequence (🧑 then 🔬 for 🧑‍🔬), no stray variation selector
  (:mod:`llmcourse.emoji_check`);
* **structure** - no unclosed code fence, no list or block quote nested deeper than
  :data:`MAX_NESTING` levels (Python-Markdown's recursion gives out), one Chinese source per
  page, no English page without a Chinese source;
* **front matter** - valid YAML, a mapping, only :data:`FRONT_MATTER_KEYS`, a valid ``parity``
  table (:mod:`llmcourse.parity`);
* **unsafe HTML** outside code - ``<script>``, ``<iframe>``, ``<object>``, ``<embed>``,
  ``<style>``, ``<form>`` (and ``<frame>``, ``<applet>``, ``<base>``, ``<meta>``, ``<link>``),
  ``on*=`` event attributes, ``javascript:``/``vbscript:``/``data:`` URLs in links or
  attributes;
* **conversion** - the Chinese source converts to the other script with every protected span
  intact (:func:`llmcourse.convert.audit_markdown`) and the same heading anchors;
* **links** - every relative link, ``#anchor``, image and notebook resolves, in every language
  the page is shown in (an English page's ``other.md`` is ``other.en.md`` or falls back to the
  Chinese source; a Chinese page without an English version is also checked as the English
  site shows it). Anchors are those Python-Markdown's toc extension gives, configured as
  mkdocs.yml configures it (:mod:`llmcourse.toc`). Links to other sites are not fetched;
* **regional vocabulary** - no mainland word in a zh-TW source, no Taiwan word in a zh-CN one
  (``locales/regional.yml``, :mod:`llmcourse.regional`), unless the page keeps it in its
  front-matter list ``regional:``;
* **parity** - an English page has the headings, links, images, tables and code blocks of its
  Chinese source unless its front matter declares the difference (:mod:`llmcourse.parity`);
* **locales** - ``locales/**/*.yml`` are YAML mappings; ``locales/glossary/*.txt`` are OpenCC
  text dictionaries (``key<TAB>value``, no duplicate key, no empty value, no spaces);
* **notebooks** - JSON with a list of cells, nothing that runs script in the page.

Every pattern is linear on any input (bounded repetitions, no nested quantifiers over
overlapping classes), so a 5 MB page or a binary file renamed ``.md`` gets an answer in seconds.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import functools
import html
import json
import os
import re
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import yaml

from llmcourse import build, chinese, emoji_check, guard, mdspans, mdtext, pages, parity
from llmcourse.mdspans import indent_width
from llmcourse.toc import anchors

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_PATHS = (ROOT / "docs", ROOT / "locales")

#: Front matter keys a page may have.
FRONT_MATTER_KEYS = (
    "title",
    "description",
    "hide",
    "icon",
    "status",
    "search",
    "conversion",
    "parity",
    "upstream",
    "regional",
    "locale_text",
)
#: Deepest list or block quote nesting accepted (Python-Markdown recurses per level).
MAX_NESTING = 50
#: Problems listed per file before the rest are summed up in one line.
MAX_PER_FILE = 100
#: Problems of one kind (U+FFFD, unsafe HTML…) listed per file.
MAX_PER_KIND = 20

#: Seconds one step on one file may take (the repair and conversion scanners on pathological
#: markup) and seconds all the checks of one file may take, before it is reported instead.
STEP_SECONDS = 15.0
FILE_SECONDS = 60.0

REPAIR_HINT = "python scripts/course.py repair --in-place {path}"


# --------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at a 1-based line and column of a file, with a one-line fix."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def format(self) -> str:
        """``file:line:col: message (hint: …)``."""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{hint}"

    def __str__(self) -> str:
        return self.format()


@dataclass
class FileReport:
    """The problems found in one file (capped at :data:`MAX_PER_FILE`)."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, line: int, col: int, message: str, hint: str = "", kind: str = "") -> bool:
        """Record a problem; False once ``kind`` has :data:`MAX_PER_KIND` problems already."""
        if kind:
            seen = self.kinds.get(kind, 0)
            self.kinds[kind] = seen + 1
            if seen == MAX_PER_KIND:
                self.problems.append(
                    Problem(
                        self.path,
                        max(line, 1),
                        max(col, 1),
                        f"more {kind} problems after this one are not listed",
                        hint,
                    )
                )
                return False
            if seen > MAX_PER_KIND:
                return False
        if len(self.problems) >= MAX_PER_FILE:
            self.dropped += 1
            return False
        self.problems.append(Problem(self.path, max(line, 1), max(col, 1), message, hint))
        return True

    def finish(self) -> list[Problem]:
        """The problems in file order, with a last line counting those not listed."""
        out = sorted(self.problems)
        if self.dropped:
            last = out[-1]
            out.append(
                Problem(
                    self.path,
                    last.line,
                    last.col,
                    f"{self.dropped} more problems in this file are not listed",
                )
            )
        return out


# --------------------------------------------------------------------------------------------
# Time limits


class CheckTimeout(Exception):
    """A check step ran past its time limit (see :func:`time_limit`)."""

    def __init__(self, step: str, seconds: float) -> None:
        super().__init__(f"{step} did not finish within {seconds:g} s")
        self.step, self.seconds = step, seconds


@contextlib.contextmanager
def time_limit(seconds: float, step: str) -> Iterator[None]:
    """Raise :class:`CheckTimeout` in the block after ``seconds`` (main thread, POSIX only).

    Nested limits keep the outer one: the inner limit is the shorter of the two.
    """
    main = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer") or not main:
        yield
        return
    start = time.monotonic()
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # the enclosing limit comes first
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise CheckTimeout(step, seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


# --------------------------------------------------------------------------------------------
# Text positions


class Positions:
    """Offsets of a text to 1-based line and column."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        """(line, col) of ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


def _byte_line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col


# --------------------------------------------------------------------------------------------
# Encoding


def decode_page(data: bytes, report: FileReport) -> str | None:
    """The text of a page (a BOM dropped) when it is UTF-8 text; problems for anything else.

    These are the problems the build refuses too (llmcourse.guard).
    """
    hint = REPAIR_HINT.format(path=report.path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.add(1, 1, "UTF-16 text (byte order mark): not UTF-8", hint)
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_line_col(data, nul)
        report.add(
            line,
            col,
            "binary data (NUL byte): not a UTF-8 text file",
            "replace it with the UTF-8 text it should be, or give it its real extension",
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line, col = _byte_line_col(data, start)
        report.add(
            line,
            col,
            f"not UTF-8: byte 0x{data[start]:02x} ({exc.reason}){_guess_encoding(data)}",
            hint,
        )
        return None


def check_encoding(data: bytes, report: FileReport) -> str | None:
    """The text of a file when it is UTF-8 (BOM dropped); problems for anything else."""
    hint = REPAIR_HINT.format(path=report.path)
    if data.startswith(b"\xef\xbb\xbf") and b"\x00" not in data:
        report.add(1, 1, "UTF-8 byte order mark at the start of the file", hint)
    text = decode_page(data, report)
    if text is not None and text.startswith("\ufeff"):  # a BOM after the BOM, or one as text
        report.add(1, 1, "byte order mark (U+FEFF) at the start of the text", hint)
        text = text.lstrip("\ufeff")
    return text


def _guess_encoding(data: bytes) -> str:
    """', looks like GBK' when the repair machinery can tell the encoding."""
    from llmcourse import repair

    try:
        decoded = repair.decode_bytes(data)
    except repair.RepairError as exc:
        if isinstance(exc, repair.EncodingAmbiguous):
            return f"; it decodes as {' or '.join(exc.candidates)}"
        return ""
    except Exception:  # noqa: BLE001 - a guess only
        return ""
    return f"; it looks like {decoded.encoding.upper()}"


def check_text_damage(text: str, report: FileReport) -> None:
    """U+FFFD anywhere and mojibake the repair machinery would restore."""
    from llmcourse import repair

    hint = REPAIR_HINT.format(path=report.path)
    pos = text.find("\ufffd")
    if pos >= 0:
        where = Positions(text)
        while pos >= 0:
            line, col = where.at(pos)
            if not report.add(
                line,
                col,
                "U+FFFD replacement character: a character was lost in an earlier conversion",
                "restore the original character from the source text",
                kind="U+FFFD",
            ):
                break
            pos = text.find("\ufffd", pos + 1)
    try:
        with time_limit(STEP_SECONDS, "the mojibake check"):
            result = repair.repair_text(text, report.path)
    except CheckTimeout as exc:
        report.add(
            1,
            1,
            f"{exc}: the text is too unusual to check for mojibake",
            "split the file or remove the repetitive content",
        )
        return
    if result.changed:
        # mojibake examples inside code are reported by repair, never rewritten: not damage
        findings = [
            f for f in result.findings if f.kind not in ("replacement-char", "mojibake-in-code")
        ]
        first = findings[0] if findings else None
        if first is not None:
            report.add(first.line, first.col, f"{first.kind}: {first.detail}", hint)
        else:
            report.add(1, 1, "mojibake: the repair machinery would change this file", hint)


# --------------------------------------------------------------------------------------------
# Structure


LIST_ITEM = re.compile(r"[ \t]{0,4000}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
QUOTE = re.compile(r"[ ]{0,3}((?:>[ \t]?){1,100000})")
#: The list and quote markers a line starts with ("- - > 1. …"), each opening a nested block.
MARKERS = re.compile(r"(?:[ \t]{0,3}(?:[-*+]|\d{1,9}[.)]|>)(?:[ \t]+|$)){2,100000}")


def check_structure(lines: list[str], first: int, mask: list[bool], report: FileReport) -> None:
    """Unclosed fences (nesting is the guard's: llmcourse.guard.page_problems)."""
    start = mdtext.unclosed_fence(lines)
    if start is not None:
        line = lines[start - 1]
        content = line.lstrip(mdspans.FENCE_PREFIX)
        mark = mdspans.fence_open(content) or "```"
        report.add(
            start + first - 1,
            len(line) - len(content) + 1,
            f"code fence {mark} is never closed: Python-Markdown shows it and the code after "
            "it as text",
            f"close it with a line of {mark}",
        )


def check_nesting(lines: list[str], first: int, mask: list[bool], report: FileReport) -> None:
    """Lists and block quotes nested deeper than Python-Markdown can render (the build too)."""
    stack: list[int] = []
    for i, line in enumerate(lines):
        if mask[i] or not line.strip():
            continue
        q = QUOTE.match(line)
        if q and q.group(1).count(">") > MAX_NESTING:
            report.add(
                i + first,
                1,
                f"block quote nested more than {MAX_NESTING} levels deep: "
                "Python-Markdown cannot render it",
                "flatten the quotes",
            )
            return
        markers = len(MARKERS.match(line).group(0).split()) if MARKERS.match(line) else 0
        if markers > MAX_NESTING:  # "- - - - …": each marker opens a list inside the last
            report.add(
                i + first,
                1,
                f"{markers} list or quote markers on one line (at most {MAX_NESTING}): "
                "Python-Markdown cannot render that many nested blocks",
                "write the markers as text (escape the first: \\-) or flatten the list",
            )
            return
        m = LIST_ITEM.match(line)
        indent = indent_width(line)
        if m is None:
            while stack and stack[-1] >= indent:
                stack.pop()
            if indent == 0:
                stack.clear()
            continue
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        if len(stack) > MAX_NESTING:
            report.add(
                i + first,
                indent + 1,
                f"list nested {len(stack)} levels deep (at most {MAX_NESTING}): "
                "Python-Markdown cannot render it",
                "flatten the list",
            )
            return


# --------------------------------------------------------------------------------------------
# Front matter


def _front_matter_marks(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """File (line, col) of front matter keys: ('parity',), ('parity', '0'), ('parity','0','x')."""
    fm = mdspans.split_front_matter(text)
    return fm.marks() if fm is not None else {}


def check_front_matter(
    text: str, report: FileReport, lang: str
) -> tuple[dict, str, int, dict[tuple[str, ...], tuple[int, int]]]:
    """(metadata, body, lines the front matter took, key positions); problems reported."""
    try:
        meta, body, skipped = mdtext.split_front_matter(text, report.path)
    except mdtext.FrontMatterError as exc:
        line, col, message = _split_located(str(exc), report.path)
        report.add(
            line,
            col,
            message,
            "fix the YAML between the --- lines (quote values that contain ': ' or '#')",
        )
        fm = mdspans.split_front_matter(text)
        if fm is None:
            return {}, text, 0, {}
        return {}, text[fm.end :], fm.lines, {}
    if not skipped:
        return meta, body, skipped, {}
    marks = _front_matter_marks(text)
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            line, col = marks.get((str(key),), (2, 1))
            close = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, 1, 0.75)
            report.add(
                line,
                col,
                f"unknown front matter key {key!r}",
                f"did you mean {close[0]!r}?"
                if close
                else f"use only {', '.join(FRONT_MATTER_KEYS)}",
            )
    for key in ("title", "description", "icon", "status", "upstream"):
        if key in meta and isinstance(meta[key], list | dict):
            line, col = marks.get((key,), (2, 1))
            report.add(
                line,
                col,
                f"front matter {key!r} must be a single value",
                f"write {key}: followed by text",
            )
    if "hide" in meta and not (
        isinstance(meta["hide"], list) and all(isinstance(x, str) for x in meta["hide"])
    ):
        line, col = marks.get(("hide",), (2, 1))
        report.add(
            line,
            col,
            "front matter 'hide' must be a list of names",
            "write hide: [navigation, toc]",
        )
    if "parity" in meta:
        _, errors = parity.validate(meta)
        for err in errors:
            if err.index is None:
                line, col = marks.get(("parity",), (2, 1))
            else:
                line, col = marks.get(("parity", str(err.index)), (2, 1))
            report.add(
                line,
                col,
                err.message,
                'write - {check: links, reason: "why the English page differs"}',
            )
        if lang in chinese.SCRIPTS and not errors:
            line, col = marks.get(("parity",), (2, 1))
            report.add(
                line,
                col,
                f"parity declarations belong in the {pages.names(pages.TRANSLATIONS, 'or')} "
                "page's front matter",
                "move the parity entries to the "
                + " or ".join(pages.file_name("", "md", t) for t in pages.TRANSLATIONS)
                + " file",
            )
    return meta, body, skipped, marks


_LOCATED = re.compile(r"(\d+):(\d+): (.*)", re.S)


def _split_located(message: str, path: str) -> tuple[int, int, str]:
    """(line, col, rest) of a ``path:line:col: rest`` message; (1, 1, rest) otherwise."""
    rest = message[len(path) + 1 :].lstrip() if message.startswith(path + ":") else message
    m = _LOCATED.match(rest)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3)
    return 1, 1, rest


# --------------------------------------------------------------------------------------------
# Unsafe HTML

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


# --------------------------------------------------------------------------------------------
# The docs tree


def lang_of(path: Path) -> str:
    """zh-TW, zh-CN or en (a language of mkdocs.yml), from a page's file name."""
    return pages.language_of(path.name)


def key_of(rel: str) -> tuple[str, str]:
    """(page key without language suffix and extension, extension) of a docs-relative path."""
    stem, _, ext = rel.rpartition(".")
    return (pages.page_key(rel) if ext in pages.EXTENSIONS else stem), ext


class Site:
    """One docs tree: reads each file once, computes each page's anchors once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[Path, str | None] = {}
        self._anchors: dict[Path, list[str]] = {}

    def text(self, path: Path) -> str | None:
        """The UTF-8 text of a file (BOM dropped), or None when it is not readable as such."""
        if path not in self._texts:
            try:
                data = path.read_bytes()
                self._texts[path] = None if b"\x00" in data else data.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def anchors(self, path: Path) -> list[str]:
        """Anchors of a Markdown page (empty when it cannot be read)."""
        if path not in self._anchors:
            text = self.text(path)
            self._anchors[path] = anchors(text) if text is not None else []
        return self._anchors[path]

    def chinese_source(self, key: str, ext: str) -> Path | None:
        """The Chinese source of a page (zh-TW ``X.ext`` or zh-CN ``X.zh-CN.ext``)."""
        return pages.chinese_source(self.root, key, ext)

    def translation(self, key: str, ext: str, lang: str) -> Path | None:
        """The page's own file in a translation's language (``X.en.ext``), if it has one."""
        path = self.root / pages.file_name(key, ext, lang)
        return path if path.is_file() else None

    def page_for(self, key: str, ext: str, lang: str) -> Path | None:
        """The file a page is made from in a language's site."""
        if lang not in chinese.SCRIPTS:
            return self.translation(key, ext, lang) or self.chinese_source(key, ext)
        return self.chinese_source(key, ext)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}:")


def is_external(target: str) -> bool:
    """Links to other sites (any scheme, or protocol-relative)."""
    return bool(_SCHEME.match(target)) or target.startswith("//")


def resolve_link(
    site: Site, page: Path, target: str, lang: str, image: bool
) -> tuple[str, str] | None:
    """None when ``target`` (found on ``page``) resolves in ``lang``'s site; else (why, hint)."""
    if not target or is_external(target) or "{{" in target:
        return None
    raw_path, _, fragment = target.partition("#")
    raw_path = raw_path.split("?", 1)[0]
    path = urllib.parse.unquote(raw_path)
    fragment = urllib.parse.unquote(fragment)
    what = "image" if image else "link"
    if path.startswith("/"):
        return (
            f"absolute {what} {target!r} breaks under "
            + ", ".join(f"/{pages.prefix(lang)}" for lang in pages.LANGS if pages.prefix(lang))
            + " and version folders",
            "use a path relative to this page",
        )
    if not path:
        dest: Path | None = page
        rel = page.relative_to(site.root).as_posix()
        shown = rel
    else:
        joined = os.path.normpath(os.path.join(page.parent.relative_to(site.root), path))
        rel = Path(joined).as_posix()
        if rel == ".." or rel.startswith("../"):
            return f"{what} {target!r} points outside the docs folder", "link inside docs/"
        shown = rel
        if raw_path.endswith("/") or (site.root / rel).is_dir():
            rel = f"{rel.rstrip('/')}/index.md" if rel != "." else "index.md"
        key, ext = key_of(rel)
        if ext in pages.EXTENSIONS:
            named = pages.language_of(rel)  # the language the link's file name says
            if named not in chinese.SCRIPTS:
                literal = site.root / rel
                dest = literal if literal.is_file() else None
            elif named != pages.DEFAULT:
                dest = site.chinese_source(key, ext)  # a source or generated from one
            else:
                dest = site.page_for(key, ext, lang)
            if dest is None:
                looked = ", ".join(pages.chinese_names(key, ext)) + (
                    f", {pages.file_name(key, ext, lang)}" if lang not in chinese.SCRIPTS else ""
                )
                return (
                    f"broken {what}: {target!r} has no page (looked for {looked})",
                    "fix the path or create the page",
                )
            if ext == "ipynb":
                return None  # notebook anchors are mkdocs-jupyter's
        else:
            literal = site.root / rel
            # mkdocs-static-i18n's localized file (image.en.png), for a translation's site
            localized = (
                site.root / pages.file_name(rel.rsplit(".", 1)[0], ext, lang) if ext else None
            )
            if literal.is_file() or (
                lang not in chinese.SCRIPTS and localized and localized.is_file()
            ):
                return None
            kind = "missing image" if image else "broken link"
            return f"{kind}: {shown} does not exist", "add the file or fix the path"
    if not fragment or dest is None:
        return None
    ids = site.anchors(dest)
    if fragment in ids:
        return None
    from llmcourse import toc

    dest_rel = dest.relative_to(site.root).as_posix()
    slug = toc.title_id(fragment)
    if slug in ids:
        hint = f"anchors are slugs (one form for zh-TW and zh-CN): use #{slug}"
    else:
        close = difflib.get_close_matches(fragment, ids, 1)
        hint = f"use #{close[0]}" if close else "link to one of the page's headings"
    if lang not in chinese.SCRIPTS and lang_of(page) != lang:
        return (
            f"broken anchor in the {pages.language(lang).name} site (which shows this Chinese"
            f" page): the link goes to {dest_rel}, which has no anchor #{fragment}",
            "link without the anchor, or translate this page",
        )
    return f"broken anchor: {dest_rel} has no heading with anchor #{fragment}", hint


# --------------------------------------------------------------------------------------------
# Pages


def check_conversion(text: str, lang: str, report: FileReport) -> None:
    """The conversion of a Chinese source keeps protected spans and heading anchors."""
    from llmcourse import convert

    to = chinese.other(lang)
    try:
        with time_limit(STEP_SECONDS, f"the conversion audit to {to}"):
            audit = convert.audit_markdown(text, to, source=report.path)
            rendered = convert.render_page(text, lang, source=report.path)
    except convert.ConversionRuleError as exc:
        line, col, message = _split_located(str(exc), report.path)
        report.add(
            line,
            col,
            f"conversion rule: {message}",
            "fix the -{…}- marker or the conversion: table (locales/glossary/README.md)",
        )
        return
    except CheckTimeout as exc:
        report.add(
            1,
            1,
            f"{exc}: the page's markup is too unusual to convert safely",
            "split the page or simplify its markup",
        )
        return
    except (RecursionError, ValueError, IndexError, KeyError) as exc:
        report.add(
            1,
            1,
            f"the conversion to {to} fails on this page ({type(exc).__name__}: {exc})",
            "report the page to the conversion maintainers",
        )
        return
    for mismatch in audit.protected_mismatches:
        if not report.add(
            mismatch.line,
            mismatch.col,
            f"conversion to {to} would change text it must keep: {mismatch.message()}",
            "protect the text with -{…}- or report the case to the conversion maintainers",
            kind="conversion",
        ):
            break
    src_ids = anchors(rendered)
    out_ids = anchors(audit.output)
    if src_ids != out_ids:
        try:
            _, body, skipped = mdtext.split_front_matter(text)
        except mdtext.FrontMatterError:
            body, skipped = text, 0
        heads = mdtext.headings(body, skipped + 1, rendered=True)
        for k, (a, b) in enumerate(zip(src_ids, out_ids, strict=False)):
            if a != b and k < len(heads):
                report.add(
                    heads[k].line,
                    1,
                    f"heading anchor differs between scripts: #{a} in {lang}, #{b} in {to}",
                    "add an explicit id: ## Title {#some-id}",
                    kind="anchor",
                )


def check_regional(
    text: str, lang: str, report: FileReport, marks: dict[tuple[str, ...], tuple[int, int]]
) -> None:
    """Words of the other region in a Chinese source, and stale ``regional:`` entries."""
    from llmcourse import regional

    where = marks.get((regional.FRONT_MATTER_KEY,), (2, 1))
    try:
        hits, stale = regional.find(text, lang)
    except regional.TableError as exc:
        report.add(1, 1, f"the regional vocabulary cannot be read: {exc}", "fix that file")
        return
    except regional.RegionalError as exc:
        if exc.index is not None:
            where = marks.get((regional.FRONT_MATTER_KEY, str(exc.index)), where)
        report.add(
            *where, str(exc), "write regional: [數據, 《書名》], the strings kept as written"
        )
        return
    except mdspans.RuleError:
        return  # reported by the conversion check
    for hit in hits:
        if not report.add(
            hit.line,
            hit.col,
            hit.message(lang),
            f"write {hit.suggestion} (python scripts/course.py convert --normalize FILE), or keep "
            f"a deliberate use in front matter: regional: [{hit.found}]",
            kind="regional vocabulary",
        ):
            break
    for index in stale:
        report.add(
            *marks.get((regional.FRONT_MATTER_KEY, str(index)), where),
            f"regional[{index}] keeps nothing on this page",
            "remove the entry",
        )


def check_links(
    site: Site, page: Path, body: str, first: int, lang: str, report: FileReport
) -> None:
    """Every relative link of a page resolves in the site(s) the page is shown in."""
    langs = [lang]
    key, ext = key_of(page.relative_to(site.root).as_posix())
    if lang in chinese.SCRIPTS:  # the sites of the translations it is the fallback of (en)
        langs += [t for t in pages.TRANSLATIONS if site.translation(key, ext, t) is None]
    for link in mdtext.links(body, first, nested=True):
        for shown_in in langs:
            problem = resolve_link(site, page, link.target, shown_in, link.image)
            if problem is not None:
                report.add(link.line, link.col, *problem, kind="link")
                break


def check_parity(site: Site, en_page: Path, zh_page: Path, report: FileReport) -> None:
    """Differences of an English page from its Chinese source not declared intentional."""
    en_text, zh_text = site.text(en_page), site.text(zh_page)
    if en_text is None or zh_text is None:
        return
    try:
        meta, _, _ = mdtext.split_front_matter(en_text)
    except mdtext.FrontMatterError:
        meta = {}
    diffs = parity.compare(zh_text, en_text)
    declared, errors = parity.validate(meta)
    zh_rel = zh_page.relative_to(site.root).as_posix()
    for diff in parity.undeclared(diffs, meta):
        report.add(
            diff.line,
            1,
            f"parity with {zh_rel}: {diff.kind}: {diff.message}",
            f'make them match, or declare it: parity: [{{check: {diff.kind}, reason: "…"}}]',
            kind="parity",
        )
    if errors:
        return
    marks = _front_matter_marks(en_text)
    kinds = {d.kind for d in diffs}
    for decl in declared:
        if decl.check not in kinds:
            line, col = marks.get(("parity", str(decl.index)), (2, 1))
            report.add(
                line,
                col,
                f"parity[{decl.index}] declares a '{decl.check}' difference from {zh_rel} "
                "that no longer exists",
                "remove the entry",
            )


def check_page(site: Site, page: Path, report: FileReport, parity_done: set[Path]) -> None:
    """All checks of one Markdown page."""
    data = page.read_bytes()
    # what the build refuses before reading a page (limits, encoding, front matter, nesting)
    if guard.page_problems(data, page.suffix, report) is None:
        return
    text = check_encoding(data, report)  # adds what only check reports: a BOM
    if text is None:
        return
    check_text_damage(text, report)
    for line, col, message, hint in emoji_check.problems(text):
        if not report.add(line, col, message, hint, kind="emoji"):
            break
    lang = lang_of(page)
    meta, body, skipped, marks = check_front_matter(text, report, lang)
    first = skipped + 1
    lines = body.splitlines()
    mask = mdtext.code_mask(lines)
    check_structure(lines, first, mask, report)
    check_unsafe(masked_text(lines, mask), first, report)
    rel = page.relative_to(site.root).as_posix()
    key, ext = key_of(rel)
    zh = site.chinese_source(key, ext)
    if lang not in chinese.SCRIPTS:
        if zh is None:
            report.add(
                1,
                1,
                f"{pages.language(lang).name} page without a Chinese source "
                f"({' or '.join(pages.chinese_names(key, ext))})",
                "add the Chinese page or remove this one",
            )
        else:
            check_parity(site, page, zh, report)
            parity_done.add(page)
    else:
        if zh != page:  # the first source found is another file
            report.add(
                1,
                1,
                f"two Chinese sources: {zh.relative_to(site.root).as_posix()} and {rel}; "
                "the other script is generated at build time",
                "keep one of them",
            )
        else:
            check_conversion(text, lang, report)
        check_regional(text, lang, report, marks)
    check_links(site, page, body, first, lang, report)


# --------------------------------------------------------------------------------------------
# Notebooks


def check_notebook(site: Site, path: Path, report: FileReport) -> None:
    """A notebook is JSON with a list of cells and runs no script in the page."""
    data = path.read_bytes()
    # what the build refuses before reading it (size, encoding, JSON), as for pages
    if guard.page_problems(data, path.suffix, report) is None:
        return
    text = check_encoding(data, report)  # adds what only check reports: a BOM
    if text is None:
        return
    check_text_damage(text, report)
    nb = json.loads(text)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        report.add(1, 1, "notebook has no list of cells", "re-save it from Jupyter")
        return
    rel = path.relative_to(site.root).as_posix()
    key, ext = key_of(rel)
    lang, zh = lang_of(path), site.chinese_source(key, ext)
    if lang not in chinese.SCRIPTS and zh is None:
        report.add(
            1,
            1,
            f"{pages.language(lang).name} notebook without a Chinese source ({key}.ipynb)",
            "add the Chinese notebook or remove this one",
        )
    if lang in chinese.SCRIPTS and zh != path:  # the first source found is another file
        report.add(
            1,
            1,
            f"two Chinese sources: {zh.relative_to(site.root).as_posix()} and {rel}",
            "keep one of them",
        )
    cell_lines = [m.start() for m in re.finditer(r'"cell_type"', text)]
    where = Positions(text)
    for n, cell in enumerate(nb["cells"]):
        line = where.at(cell_lines[n])[0] if n < len(cell_lines) else 1
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "code", "raw"):
            report.add(
                line,
                1,
                f"cell {n + 1} has no valid cell_type",
                "cell_type is markdown, code or raw",
            )
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            report.add(
                line,
                1,
                f"cell {n + 1}: source must be text or a list of lines",
                "re-save it from Jupyter",
            )
            continue
        if cell["cell_type"] == "markdown":
            lines = source.splitlines()
            masked = masked_text(lines, mdtext.code_mask(lines))
            cell_pos = Positions(masked)
            for offset, message, hint in unsafe_html(masked):
                cl, _ = cell_pos.at(offset)
                report.add(line, 1, f"cell {n + 1}, line {cl}: {message}", hint, kind="unsafe HTML")
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            bundle = output.get("data", {}) if isinstance(output, dict) else {}
            if not isinstance(bundle, dict):
                continue
            for mime in bundle:
                if "javascript" in mime or mime.endswith("ecmascript"):
                    report.add(
                        line,
                        1,
                        f"cell {n + 1}: output {mime} runs script in the page",
                        "clear the output or save it as an image",
                    )
            html_out = bundle.get("text/html")
            if isinstance(html_out, list):
                html_out = "".join(str(s) for s in html_out)
            if isinstance(html_out, str):
                for _, message, hint in unsafe_html(html_out)[:1]:
                    report.add(line, 1, f"cell {n + 1}: HTML output: {message}", hint)


# --------------------------------------------------------------------------------------------
# Locales


def check_yaml_mapping(path: Path, report: FileReport) -> None:
    """A locales YAML file parses to a mapping."""
    text = check_encoding(path.read_bytes(), report)
    if text is None:
        return
    check_text_damage(text, report)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.add(
            line,
            col,
            f"invalid YAML: {problem}",
            "quote values that contain ': ' or start with a special character",
        )
        return
    except RecursionError:
        report.add(1, 1, "YAML nested too deeply", "flatten the file")
        return
    if not isinstance(data, dict):
        report.add(
            1,
            1,
            f"expected a mapping of keys to texts, got {type(data).__name__}",
            "write key: value lines",
        )
        return
    from llmcourse import regional

    if path == regional.TABLE.resolve():
        try:
            regional.table(path)
        except regional.RegionalError as exc:
            line, col, message = _split_located(str(exc), report.path)
            report.add(line, col, message, "see the keys explained at the top of the file")


def check_glossary(path: Path, report: FileReport) -> None:
    """An OpenCC text dictionary: ``key<TAB>value`` lines, ``#`` comments, blank lines."""
    text = check_encoding(path.read_bytes(), report)
    if text is None:
        return
    check_text_damage(text, report)
    seen: dict[str, int] = {}
    hint = "write one key<TAB>value pair per line"
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) == 1:
            space = next((i for i, ch in enumerate(line) if ch.isspace()), 0)
            report.add(n, space + 1, "no TAB between key and value", hint, kind="glossary")
            continue
        if len(parts) > 2:
            second = line.index("\t", len(parts[0]) + 1)
            report.add(n, second + 1, "more than one TAB on the line", hint, kind="glossary")
            continue
        key, value = parts
        if not key:
            report.add(n, 1, "empty key", hint, kind="glossary")
            continue
        if not value.strip():
            report.add(
                n,
                len(key) + 2,
                f"empty value for {key!r}",
                "give the replacement after the TAB, or delete the line",
                kind="glossary",
            )
            continue
        space = next((i for i, ch in enumerate(line) if ch.isspace() and ch != "\t"), None)
        if space is not None:
            report.add(
                n,
                space + 1,
                "whitespace in a key or value (OpenCC reads spaces as alternatives)",
                "remove the spaces",
                kind="glossary",
            )
            continue
        if key in seen:
            report.add(
                n,
                1,
                f"duplicate key {key!r} (first on line {seen[key]})",
                "keep one of the two lines",
                kind="glossary",
            )
            continue
        seen[key] = n


# --------------------------------------------------------------------------------------------
# Command


@dataclass
class Work:
    """What to check: pages and notebooks per docs tree, locale files."""

    pages: dict[Path, list[Path]] = field(default_factory=dict)
    #: docs folders given whole (their tree is checked, and the build reports on every page)
    trees: set[Path] = field(default_factory=set)
    yaml_files: list[Path] = field(default_factory=list)
    glossaries: list[Path] = field(default_factory=list)

    def count(self) -> int:
        """Number of files to check."""
        return (
            sum(len(v) for v in self.pages.values()) + len(self.yaml_files) + len(self.glossaries)
        )


def _walk(folder: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _docs_root(path: Path, given: Path | None) -> Path:
    """The docs folder a page belongs to: the nearest ancestor named docs, else the argument."""
    for parent in path.parents:
        if parent.name == "docs":
            return parent
        if given is not None and parent == given:
            break
    return given if given is not None else path.parent


def _is_project(folder: Path) -> bool:
    return any((folder / name).exists() for name in ("docs", "locales", "mkdocs.yml"))


def collect(paths: Iterable[Path]) -> Work:
    """Sort the files under ``paths`` into the kinds of check they get."""
    work = Work()
    seen: set[Path] = set()

    def add(file: Path, given: Path | None) -> None:
        if file.is_symlink():  # reported by guard.tree_problems, never followed
            return
        file = file.resolve()
        if file in seen:
            return
        seen.add(file)
        area = next((p.name for p in file.parents if p.name in ("docs", "locales")), None)
        if area == "locales":
            if file.suffix in (".yml", ".yaml"):
                work.yaml_files.append(file)
            elif file.suffix == ".txt" and file.parent.name == "glossary":
                work.glossaries.append(file)
            return
        if file.suffix in (".md", ".ipynb"):
            root = _docs_root(file, given)
            work.pages.setdefault(root, []).append(file)

    for path in paths:
        path = path.resolve()
        if path.is_dir():
            folders = [path]
            if _is_project(path):
                folders = [f for f in (path / "docs", path / "locales") if f.is_dir()]
            for folder in folders:
                if folder.name != "locales":
                    work.trees.add(folder)
                for file in _walk(folder):
                    add(file, folder)
        else:
            add(path, None)
    return work


def _display(path: Path) -> str:
    """A path as reports show it: relative to the working directory when inside it."""
    return guard.display(path, Path.cwd().resolve())


def _guarded(report: FileReport, run: Callable[[], None]) -> None:
    """Run one file's checks; an unexpected failure becomes a problem, never a traceback."""
    try:
        with time_limit(FILE_SECONDS, "checking this file"):
            run()
    except CheckTimeout as exc:
        report.add(1, 1, f"{exc}", "split the file or simplify its content")
    except RecursionError:
        report.add(1, 1, "the file is nested too deeply to check", "simplify its structure")
    except Exception as exc:  # noqa: BLE001 - one file must not stop the others
        report.add(
            1,
            1,
            f"the checker failed on this file ({type(exc).__name__}: {exc})",
            "report this with the file attached",
        )


def run_checks(paths: Iterable[Path]) -> tuple[list[Problem], int]:
    """All problems under ``paths`` (files or folders) and the number of files checked."""
    work = collect(paths)
    problems: list[Problem] = []
    for root in sorted({*work.pages, *work.trees}):
        files = work.pages.get(root, [])
        tree = [Problem(*found) for found in guard.tree_problems(root, Path.cwd())]
        problems += tree
        site = Site(root)
        parity_done: set[Path] = set()
        reports: dict[Path, FileReport] = {}
        for file in sorted(files):
            report = reports.setdefault(file, FileReport(_display(file)))
            if file.suffix == ".md":
                _guarded(report, functools.partial(check_page, site, file, report, parity_done))
            else:
                _guarded(report, functools.partial(check_notebook, site, file, report))
        # A Chinese source checked on its own (pre-commit): compare its translations too.
        for file in sorted(files):
            if file.suffix != ".md" or lang_of(file) not in chinese.SCRIPTS:
                continue
            key, ext = key_of(file.relative_to(root).as_posix())
            for lang in pages.TRANSLATIONS:
                en = site.translation(key, ext, lang)
                if en is None or en in parity_done or site.chinese_source(key, ext) != file:
                    continue
                parity_done.add(en)
                report = reports.setdefault(en, FileReport(_display(en)))
                _guarded(report, functools.partial(check_parity, site, en, file, report))
        for report in reports.values():
            problems += report.finish()
        if not tree:  # the build itself: what it refuses or sanitizes, at the source's line
            problems += build.problems(root, files if root not in work.trees else None, problems)
    for file in sorted(work.yaml_files):
        report = FileReport(_display(file))
        _guarded(report, functools.partial(check_yaml_mapping, file, report))
        problems += report.finish()
    for file in sorted(work.glossaries):
        report = FileReport(_display(file))
        _guarded(report, functools.partial(check_glossary, file, report))
        problems += report.finish()
    problems.sort(key=lambda p: (p.path, p.line, p.col))
    return problems, work.count()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def command(paths: list[str], *, stdout: TextIO, stderr: TextIO) -> int:
    """``course.py check [PATH…]``: print every problem; 0 clean, 1 problems, 2 usage error."""
    targets = [Path(p) for p in paths] if paths else [p for p in DEFAULT_PATHS if p.exists()]
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        for name in missing:
            print(f"check: {name}: no such file or directory", file=stderr)
        return 2
    problems, checked = run_checks(targets)
    for problem in problems:
        print(problem.format(), file=stdout)
    files = len({p.path for p in problems})
    if problems:
        print(
            f"check: {_count(len(problems), 'problem')} in {_count(files, 'file')} "
            f"({_count(checked, 'file')} checked)",
            file=stdout,
        )
        return 1
    print(f"check: {_count(checked, 'file')} checked, no problems", file=stdout)
    return 0
