"""Import a community translation of the course into the docs tree.

The importer repairs the file first, then splits a README-shaped course document
(intro, notebooks tables, the three sections with their numbered chapters,
acknowledgements) or a learning-notes document into pages, keeps the fuller text where
two sources overlap, and never overwrites a page edited by hand without ``force``.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import yaml

from llmcourse import CACHE, DOCS, ROOT, chinese, fsio, mdtext, yamlfile
from llmcourse.pages import chinese_source, file_name, language_of, page_key

LAYOUT_FILE = Path(__file__).parent / "layout.yml"
MANIFEST_NAME = ".import-manifest.json"
#: Held (``fcntl.flock``) around an import's read-modify-write of the docs and the manifest.
LOCK_NAME = MANIFEST_NAME + ".lock"
#: Where a page edited by hand is kept before an import replaces or removes it
#: (``<stamp>/<path>``), anchored to this file, never the working directory.
BACKUP_ROOT = CACHE / "import-backups"
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CHAPTER = re.compile(r"^(\d+)\.\s*(.*)$")
COLAB_HTML = re.compile(
    r'<a href="(?P<href>[^"]+)">\s*<img src="(?:\.{1,2}/)*img/colab\.svg"[^>]*>\s*</a>'
)
IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\((?P<src>[^)\s]+)\)\s*$")
REMOTE_IMG_BLOCK = re.compile(
    r"<p[^>]*>\s*<a [^>]*>\s*<img src=\"https?://[^\"]+\"[^>]*>\s*</a>\s*</p>", re.S
)
HEADER_DIV = re.compile(
    r"<div align=\"center\">\s*<h1>(?P<title>.*?)</h1>\s*"
    r"<p[^>]*>(?P<links>.*?)</p>\s*</div>\s*(<br/?>)?",
    re.S,
)
HTML_A = re.compile(r'<a href="(?P<href>[^"]+)">(?P<text>.*?)</a>', re.S)
RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")


class ImportError_(Exception):
    """An import that cannot proceed; the message names file and line."""


@dataclass
class Candidate:
    """The text one source offers for one page."""

    key: str
    lang: str
    text: str
    source: str
    meta: dict = field(default_factory=dict)
    lossy: bool = False  # some characters were chosen by the language model of the repair


@dataclass
class Outcome:
    """What an import did, page by page, in words a maintainer can act on."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)  # hand edits kept before replacing them
    stamp: str = ""  # the backup folder of this import, once one is needed


# --------------------------------------------------------------------------- layout


@functools.cache
def layout() -> dict:
    """The page layout the importer maps headings to (scripts/llmcourse/layout.yml)."""
    return yamlfile.read(LAYOUT_FILE)


def page_keys() -> list[str]:
    """Every course page key in reading order (notes excluded)."""
    lay = layout()
    keys = [lay["home"]]
    for section, spec in lay["sections"].items():
        keys.append(f"{section}/index")
        keys += [f"{section}/{slug}" for slug in spec["chapters"].values()]
    keys.append(lay["credits"])
    return keys


def _matches(title: str, words: list[str]) -> bool:
    low = title.lower()
    return any(w.lower() in low for w in words)


# --------------------------------------------------------------------------- scripts


@functools.cache
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def detect_language(text: str) -> str | None:
    """zh-TW, zh-CN or en: which language a page's prose is mostly written in (None: too short)."""
    prose = "\n".join(
        line
        for line, code in zip(text.splitlines(), mdtext.code_mask(text.splitlines()), strict=True)
        if not code
    )
    prose = re.sub(r"\]\([^)]*\)|https?://\S+|<[^>]+>", " ", prose)
    cjk = len(CJK.findall(prose))
    words = len(LATIN_WORD.findall(prose))
    if cjk < 20 and words < 20:
        return None
    if cjk < 2 * words * 0.5 or cjk < 20:  # fewer CJK characters than ~half the English words
        return "en"
    simplified = _opencc("t2s").convert(prose)
    traditional = _opencc("s2t").convert(prose)
    trad_only = sum(a != b for a, b in zip(prose, simplified, strict=False))
    simp_only = sum(a != b for a, b in zip(prose, traditional, strict=False))
    return "zh-CN" if simp_only > trad_only else "zh-TW"


def fullness(text: str) -> tuple[int, int]:
    """How complete a text is: distinct link targets, then characters of prose."""
    targets = {link.target for link in mdtext.links(text)}
    return len(targets), len(CJK.findall(text)) + len(LATIN_WORD.findall(text))


# --------------------------------------------------------------------------- parsing


def parse_course(text: str, source: str, existing_titles: dict[str, str]) -> list[Candidate]:
    """Split a README-shaped course document into page candidates (language not set)."""
    lay = layout()
    pages: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    current: str | None = lay["home"]
    section: str | None = None
    home = lay["home"]
    for heading, body in mdtext.iter_sections(_header_to_markdown(text)):
        if heading is None:
            pages.setdefault(home, []).extend(body)
            continue
        title = heading.text
        if heading.level <= 2:
            section = next(
                (s for s, spec in lay["sections"].items() if _matches(title, spec["match"])), None
            )
            if section:
                current = f"{section}/index"
                titles[current] = title
                pages.setdefault(current, []).extend(body)
                continue
            part = next((p for p, words in lay["parts"].items() if _matches(title, words)), None)
            if part:
                section = None
            if part == "notebooks":
                current = home
                pages.setdefault(home, []).extend(["", f"## {title}", *body])
            elif part in ("credits", "licence"):
                current = lay["credits"]
                if part == "credits":
                    titles.setdefault(current, title)
                    pages.setdefault(current, []).extend(body)
                else:
                    pages.setdefault(current, []).extend(["", f"## {title}", *body])
            elif heading.level == 1:
                # the document's title (a bare repository name like "llm-course-chn" is not one)
                current, section = home, None
                if not re.fullmatch(r"[\w.-]+", title):
                    titles[home] = title
                pages.setdefault(home, []).extend(body)
            else:
                pages.setdefault(current or home, []).extend(
                    ["", "#" * heading.level + " " + title, *body]
                )
            continue
        m = CHAPTER.match(title) if heading.level == 3 else None
        if m and (section is not None or current == home):
            if section is not None:
                slug = lay["sections"][section]["chapters"].get(int(m.group(1)))
                if slug is None:
                    raise ImportError_(
                        f"{source}:{heading.line}:1: chapter {m.group(1)} of '{section}' is not "
                        f"in the layout ({LAYOUT_FILE.name})"
                    )
                key = f"{section}/{slug}"
            else:
                key = _place_orphan(title, existing_titles)
            if key is None:
                raise ImportError_(
                    f"{source}:{heading.line}:1: chapter heading '{title}' has no section "
                    "heading before it and matches no existing page title"
                )
            current = key
            if key in titles:  # the same chapter number again: its text follows the first's
                pages[key] += ["", f"## {title}", *body]
            else:
                titles[key] = title
                pages.setdefault(key, []).extend(body)
            continue
        pages.setdefault(current or home, []).extend(["", "#" * heading.level + " " + title, *body])
    out = []
    for key, lines in pages.items():
        body = _clean_body("\n".join(lines), key)
        if not body.strip() and not key.endswith("/index"):
            continue
        title = titles.get(key) or (existing_titles.get(key) if key != home else None)
        if title is None:
            if key == home:
                continue  # a fragment without the course's title: nothing to say on the home page
            raise ImportError_(f"{source}:1:1: no title found for page {key}")
        out.append(Candidate(key, "", _page(title, body), source))
    return out


def _page(title: str, body: str) -> str:
    """A page's Markdown: its title as H1, then the body."""
    return f"# {title}\n\n{body.strip()}\n" if body.strip() else f"# {title}\n"


def _place_orphan(title: str, existing_titles: dict[str, str]) -> str | None:
    """The page an unsectioned chapter heading belongs to, by its title."""

    def norm(s: str) -> str:
        return re.sub(r"[\W\d_]+", "", s).lower()

    for key, existing in existing_titles.items():
        if norm(existing) == norm(title):
            return key
    return None


def parse_notes(text: str, source: str) -> list[Candidate]:
    """Split a learning-notes document (one page per H2 part) into page candidates."""
    spec = layout()["notes"]
    folder = spec["folder"]
    index_lines: list[str] = []
    index_title = None
    pages: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    current: str | None = None
    for heading, body in mdtext.iter_sections(text):
        if heading is None:
            index_lines += body
            continue
        if heading.level == 1:
            if index_title is None:
                index_title = heading.text
                index_lines += body
            # later H1s (a hand-written table of contents) are replaced by the navigation
            current = None if _is_toc(body) else current
            continue
        if heading.level == 2:
            part = next(
                (p for p, words in spec["parts"].items() if _matches(heading.text, words)), None
            )
            if part:
                current = f"{folder}/{part}"
                if current in pages:  # the same part again ("（續）"): its text follows on
                    pages[current] += ["", f"## {heading.text}", *body]
                else:
                    titles[current] = heading.text
                    pages[current] = list(body)
                continue
            if _matches(heading.text, spec["index_parts"]):
                current = None
                index_lines += ["", f"## {heading.text}", *body]
                continue
        target = pages.setdefault(current, []) if current else index_lines
        target += [
            "",
            "#" * (heading.level - 1 if current else heading.level) + " " + heading.text,
            *body,
        ]
    if index_title is None:
        raise ImportError_(f"{source}:1:1: a notes document needs a level-1 title")
    pages = {f"{folder}/index": index_lines, **pages}
    titles[f"{folder}/index"] = index_title
    return [
        Candidate(
            key,
            "",
            _page(titles[key], _nest_restarted_numbering(_clean_body("\n".join(lines), key))),
            source,
        )
        for key, lines in pages.items()
    ]


def _is_toc(body: list[str]) -> bool:
    items = [line for line in body if line.strip()]
    anchors = [line for line in items if re.match(r"^\s*[-*]\s*\[[^\]]+\]\(#", line)]
    return bool(items) and len(anchors) >= len(items) - 1


# --------------------------------------------------------------------------- cleaning


def _header_to_markdown(text: str) -> str:
    """The README's centred HTML header (title and links) as plain Markdown."""

    def repl(m: re.Match) -> str:
        links = [
            f"[{a.group('text').strip()}]({a.group('href')})"
            for a in HTML_A.finditer(m.group("links"))
        ]
        parts = re.split(r"<a [^>]*>.*?</a>", m.group("links"), flags=re.S)
        out = []
        for i, link in enumerate(links):
            prefix = parts[i].replace("•", "").strip()
            out.append(f"{prefix} {link}".strip())
        return f"# {m.group('title').strip()}\n\n" + " · ".join(out) + "\n"

    return HEADER_DIV.sub(repl, text, count=1)


def _clean_body(body: str, key: str) -> str:
    """Page-ready body: Markdown badges, no missing or remote images, no trailing rules."""
    depth = key.count("/")
    prefix = "../" * depth
    body = COLAB_HTML.sub(
        lambda m: f"[![Open In Colab]({prefix}img/colab.svg)]({m.group('href')})", body
    )
    body = REMOTE_IMG_BLOCK.sub("", body)
    lines = []
    for line in body.splitlines():
        m = IMAGE_LINE.match(line)
        if m and not m.group("src").startswith("http"):
            name = m.group("src").split("img/", 1)[-1]
            if not (DOCS / "img" / name).exists():
                continue  # pictures the source references but does not ship are not linked
        lines.append(line.rstrip())
    body = _details_to_blocks("\n".join(_rule_after_list(lines)))
    lines = body.strip("\n").splitlines()
    while lines and (not lines[-1].strip() or RULE.match(lines[-1])):
        lines.pop()
    while lines and (not lines[0].strip() or RULE.match(lines[0])):
        lines.pop(0)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


DETAILS_OPEN = re.compile(r"^\s*<details>\s*(?:<summary>(?P<summary>.*?)</summary>)?\s*$", re.I)
SUMMARY_LINE = re.compile(r"^\s*<summary>(?P<summary>.*?)</summary>\s*$", re.I)
DETAILS_CLOSE = re.compile(r"^\s*</details>\s*$", re.I)
BREAK_LINE = re.compile(r"^\s*</?br\s*/?>\s*$", re.I)
DASH_RULE = re.compile(r"^ {0,3}-{3,}\s*$")


@dataclass
class _Details:
    """A ``<details>`` block of the source: its summary and what it holds (lines and blocks)."""

    summary: str
    children: list = field(default_factory=list)


def _details_to_blocks(body: str) -> str:
    """``<details>`` blocks as the page needs them, nested ones included.

    A block that holds headings is not an aside but the content itself, folded away by a
    README's habit: it is unwrapped (its summary, a "click to open" prompt, goes with it) so
    its headings are the page's sections and reach the table of contents.  A block without
    headings is an aside and becomes a collapsible ``??? note``.  Tags are paired by
    nesting, outside fenced code; a body whose tags do not pair is left as it is.
    """
    lines = body.splitlines()
    root = _Details("")
    stack = [root]
    summary_due = False
    for line, in_code in zip(lines, mdtext.code_mask(lines), strict=True):
        m = None if in_code else DETAILS_OPEN.match(line)
        if m:
            block = _Details((m.group("summary") or "").strip())
            stack[-1].children.append(block)
            stack.append(block)
            summary_due = m.group("summary") is None
            continue
        s = None if in_code or not summary_due else SUMMARY_LINE.match(line)
        if s:
            stack[-1].summary, summary_due = s.group("summary").strip(), False
            continue
        if summary_due and line.strip():
            summary_due = False
        if not in_code and DETAILS_CLOSE.match(line):
            if len(stack) == 1:
                return body
            stack.pop()
            continue
        stack[-1].children.append(line)
    if len(stack) != 1:
        return body
    return "\n".join(_render_details(root.children))


def _render_details(children: list) -> list[str]:
    out: list[str] = []
    unwrapped = False
    for child in children:
        if isinstance(child, str):
            if unwrapped and BREAK_LINE.match(child):
                continue  # the spacing a reader needed below a closed box
            unwrapped = unwrapped and not child.strip()
            out.append(child)
            continue
        inner = _render_details(child.children)
        if mdtext.headings("\n".join(inner)):
            out += ["", *inner, ""]
            unwrapped = True
            continue
        while inner and not inner[0].strip():
            inner.pop(0)
        summary = child.summary.replace('"', "'")
        out += ["", f'??? note "{summary}"', ""]
        out += [("    " + line) if line.strip() else "" for line in inner]
        out.append("")
        unwrapped = False
    return out


NUMBERED = re.compile(r"^(?:\*\*)?(?P<number>\d+(?:\.\d+)*)\.?(?:\*\*)?(?:\s|$)")


def _nest_restarted_numbering(body: str) -> str:
    """Headings numbered from 1 again below a numbered subsection (4.1) are its children.

    A learning note numbers the topics of subsection 4.1 as "1.", "2.", ... but writes
    them a level above 4.1; the table of contents would make them siblings of section 4.
    Each run of such headings moves to one level below the subsection it follows.
    """
    lines = body.splitlines()
    parent: int | None = None  # the level of the last heading numbered like 4.1
    expected = 0  # the number the run's next heading would have
    for h in mdtext.headings(body):
        m = NUMBERED.match(h.text)
        number = m.group("number") if m else None
        if number and "." in number:
            parent, expected = h.level, 1
            continue
        if parent is not None and number == str(expected) and h.level <= parent:
            line = lines[h.line - 1]
            hashes = len(line) - len(line.lstrip("#"))
            lines[h.line - 1] = "#" * (parent + 1) + line[hashes:]
            expected += 1
            continue
        if parent is not None and h.level <= parent:
            parent, expected = None, 0
    return "\n".join(lines)


def _rule_after_list(lines: list[str]) -> list[str]:
    """A blank line between a list item and a ``---`` rule right below it.

    On GitHub the line is a thematic break; Python-Markdown would make the item a heading.
    """
    out: list[str] = []
    for line, in_code in zip(lines, mdtext.code_mask(lines), strict=True):
        if not in_code and DASH_RULE.match(line) and out and mdtext.LIST_MARKER.match(out[-1]):
            out.append("")
        out.append(line)
    return out


# --------------------------------------------------------------------------- writing


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when there is no such file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


# The manifest maps each page (path relative to docs) to {"source", "sha256"[, "lossy"]}.
# Writing a page is journaled in it: the manifest is saved with the page's next entry under
# "pending" before the page is replaced, so that an import killed in between is recovered
# from the page itself (see _recover).


def _load_manifest(docs: Path) -> dict:
    """The manifest, recovered from an interrupted import (call it under the lock)."""
    path = docs / MANIFEST_NAME
    fsio.remove_stale_temporaries(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportError_(
            f"{path}:{exc.lineno}:{exc.colno}: the import manifest is not valid JSON "
            f"({exc.msg}); restore it from git"
        ) from None
    if not isinstance(manifest, dict):
        raise ImportError_(f"{path}:1:1: the import manifest is not a JSON object")
    for rel, entry in manifest.items():
        if not _valid_entry(entry):
            at = text.find(json.dumps(rel, ensure_ascii=False))
            line, col = mdtext.line_col(text, max(at, 0))
            raise ImportError_(
                f"{path}:{line}:{col}: the import manifest's entry for {rel!r} is not "
                '{"source": …, "sha256": …}; restore the manifest from git'
            )
    if _recover(docs, manifest):
        _save_manifest(docs, manifest)
    return manifest


def _valid_entry(entry: object, pending: bool = True) -> bool:
    """Whether a manifest entry has the shape imports write (its pending entry too)."""
    if not isinstance(entry, dict):
        return False
    texts = ("source", "sha256", "moved_to", "upstream")
    if any(key in entry and not isinstance(entry[key], str) for key in texts):
        return False
    if "pending" in entry:
        return pending and _valid_entry(entry["pending"], pending=False)
    return True


def _recover(docs: Path, manifest: dict) -> bool:
    """Settle the pending entries an interrupted import left; True if there were any.

    A page whose file holds the bytes of its pending entry was written: the entry is
    committed.  Otherwise the page still holds its old bytes: the old entry stays.  A page
    that was moving to the other script is removed once its successor is in place.
    """
    pending = {rel: e for rel, e in manifest.items() if isinstance(e, dict) and "pending" in e}
    for rel, entry in pending.items():
        fsio.remove_stale_temporaries(docs / rel)
        nxt = entry["pending"]
        old = {k: v for k, v in entry.items() if k != "pending"}
        if "moved_to" not in nxt and _file_sha(docs / rel) == nxt.get("sha256"):
            manifest[rel] = nxt
        elif old:
            manifest[rel] = old
        else:
            del manifest[rel]
    for rel, entry in pending.items():
        nxt = entry["pending"]
        if "moved_to" not in nxt:
            continue
        dest = nxt["moved_to"]
        moved = _file_sha(docs / dest) == manifest.get(dest, {}).get("sha256")
        if moved and _file_sha(docs / rel) == nxt.get("sha256"):
            (docs / rel).unlink()
        if _file_sha(docs / rel) is None:
            manifest.pop(rel, None)
    return bool(pending)


def _save_manifest(docs: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    fsio.write_if_changed(docs / MANIFEST_NAME, text)


def _backup(docs: Path, rel: str, data: bytes, outcome: Outcome, why: str) -> None:
    """Keep a hand-edited page's bytes under BACKUP_ROOT before it is replaced or removed."""
    if not outcome.stamp:
        outcome.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}"
    path = docs / rel
    try:
        shown = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        shown = rel
    backup = BACKUP_ROOT / outcome.stamp / shown
    fsio.atomic_write(backup, data)
    outcome.backups.append(f"{rel}: edited by hand, {why}; its text is kept in {backup}")


def _write_page(
    docs: Path,
    manifest: dict,
    rel: str,
    text: str,
    entry: dict,
    outcome: Outcome,
    remove: str | None = None,
) -> None:
    """Write one page (and remove the page it replaces), journaled in the manifest.

    Whatever moment the process is killed at, every page holds its old bytes or its new ones,
    complete, and the manifest, once recovered, describes exactly what is on disk.
    """
    entry = {**entry, "sha256": _sha(text)}
    for path_rel, why in ((rel, "replaced"), (remove, "removed")):
        if path_rel is None:
            continue
        try:
            data = (docs / path_rel).read_bytes()
        except FileNotFoundError:
            continue
        if hashlib.sha256(data).hexdigest() != manifest.get(path_rel, {}).get("sha256"):
            _backup(docs, path_rel, data, outcome, why)
    manifest[rel] = {**manifest.get(rel, {}), "pending": entry}
    if remove is not None:
        manifest[remove] = {
            **manifest.get(remove, {}),
            "pending": {"moved_to": rel, "sha256": _file_sha(docs / remove)},
        }
    _save_manifest(docs, manifest)
    fsio.atomic_write(docs / rel, text)  # write first, then remove what it replaces
    if remove is not None:
        (docs / remove).unlink(missing_ok=True)
        del manifest[remove]
    manifest[rel] = entry


def _read_page(path: Path) -> str:
    """A page of docs/ as text; ImportError_ at file:line:col when it is not UTF-8."""
    try:
        return fsio.read_utf8(path)
    except fsio.NotUTF8 as exc:
        raise ImportError_(f"{exc}: repair the page first (course.py repair --in-place)") from None


def _existing_titles(docs: Path) -> dict[str, str]:
    titles = {}
    for path in docs.rglob("*.md"):
        key = _key_of(path, docs)
        hs = mdtext.headings(_read_page(path))
        if hs and hs[0].level == 1:
            titles.setdefault(key, hs[0].text)
    return titles


def _key_of(path: Path, docs: Path) -> str:
    return page_key(path.relative_to(docs).as_posix())


def _to_script(text: str, script: str) -> str:
    """Text in the given Chinese script, through the project's own conversion."""
    from llmcourse import convert

    return convert.convert_markdown(text, script)


MERGEABLE = re.compile(r"^\s*([-*+]|\d+\.|\|)\s")


def merge(primary: str, other: str, script: str) -> tuple[str, list[str]]:
    """The primary text plus every list item or table row of ``other`` whose links it lacks.

    Each missing line goes after the line of ``primary`` that holds the nearest link the
    two share before it, converted to the primary's script; lines with no such anchor
    are listed instead of being placed at random.
    """
    p_lines = primary.splitlines()
    targets = {link.target for link in mdtext.links(primary)}
    o_lines = other.splitlines()
    anchor_at: int | None = None
    inserts: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for line in o_lines:
        line_targets = [link.target for link in mdtext.links(line)]
        if not line_targets:
            continue
        if any(t in targets for t in line_targets):
            shared = next(t for t in line_targets if t in targets)
            anchor_at = max(i for i, pl in enumerate(p_lines) if shared in pl)
            continue
        if not MERGEABLE.match(line):
            unplaced.append(line.strip())
            continue
        if anchor_at is None:
            unplaced.append(line.strip())
            continue
        inserts.setdefault(anchor_at, []).append(
            _to_script(line, script) if script in chinese.SCRIPTS else line
        )
    out: list[str] = []
    for i, line in enumerate(p_lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    merged = "\n".join(out) + ("\n" if primary.endswith("\n") else "")
    return merged, unplaced


def compose(meta: dict, body: str) -> str:
    """A page's text: YAML front matter (when there is any) and the body."""
    if not meta:
        return body
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body


def reconcile(text: str, clean: str) -> tuple[str, int]:
    """Lines of a lossy-repaired ``text`` replaced by their clean twin in ``clean``.

    A twin has the same length and differs in at most three characters: the repair chose
    those characters by likelihood, the clean source has them as written.
    """
    by_length: dict[int, list[str]] = {}
    for line in clean.splitlines():
        by_length.setdefault(len(line), []).append(line)
    out, fixed = [], 0
    for line in text.splitlines():
        twin = next(
            (
                c
                for c in by_length.get(len(line), [])
                if 0 < sum(a != b for a, b in zip(c, line, strict=True)) <= 3
            ),
            None,
        )
        out.append(twin if twin is not None else line)
        fixed += twin is not None
    return "\n".join(out) + ("\n" if text.endswith("\n") else ""), fixed


def place(candidate: Candidate, docs: Path, manifest: dict, outcome: Outcome, force: bool) -> None:
    """Write one page, merging with what is there; never overwrite a hand-edited page."""
    target = docs / file_name(candidate.key, "md", candidate.lang)
    if candidate.lang not in chinese.SCRIPTS:  # a translation: its own file
        current = target if target.exists() else None
    else:
        current = chinese_source(docs, candidate.key, "md")
    rel = target.relative_to(docs).as_posix()
    dest, result = target, compose(candidate.meta, candidate.text)
    remove: str | None = None
    if current is not None:
        cur_rel = current.relative_to(docs).as_posix()
        text = _read_page(current)
        if text == result:
            outcome.unchanged.append(cur_rel)
            return
        if manifest.get(cur_rel, {}).get("sha256") != _sha(text) and not force:
            outcome.refused.append(
                f"{cur_rel}: edited by hand since the last import (or never imported); "
                f"not overwritten with {candidate.source} (use --force)"
            )
            return
        meta, body = mdtext.split_front_matter(text, cur_rel)[:2]
        body = body.lstrip("\n")  # compose() puts one blank line after the front matter
        script = language_of(current.name)
        if not force:
            if fullness(candidate.text)[0] > fullness(body)[0] and script == candidate.lang:
                merged, unplaced = merge(candidate.text, body, script)
                if candidate.lossy and not manifest.get(cur_rel, {}).get("lossy"):
                    merged, fixed = reconcile(merged, body)
                    if fixed:
                        outcome.notes.append(
                            f"{cur_rel}: {fixed} repaired lines taken as written in {cur_rel}"
                        )
            else:
                dest = current
                merged, unplaced = merge(body, candidate.text, script)
                lossy_here = manifest.get(cur_rel, {}).get("lossy")
                if lossy_here and not candidate.lossy and candidate.lang == script:
                    merged, fixed = reconcile(merged, candidate.text)
                    if fixed:
                        outcome.notes.append(
                            f"{cur_rel}: {fixed} repaired lines taken as written in "
                            f"{candidate.source}"
                        )
            outcome.notes += [
                f"{dest.relative_to(docs).as_posix()}: not merged from "
                f"{candidate.source if dest == current else cur_rel}: {u}"
                for u in unplaced
            ]
            result = compose({**meta, **candidate.meta}, merged)
            if result == text and dest == current:
                outcome.kept.append(f"{cur_rel}: kept (as full as {candidate.source})")
                return
        rel = dest.relative_to(docs).as_posix()
        added = {t.target for t in mdtext.links(result)} - {t.target for t in mdtext.links(text)}
        outcome.notes += [f"{rel}: added from {candidate.source}: {t}" for t in sorted(added)]
        if current != dest:
            remove = cur_rel
    lossy = manifest.get(rel, {}).get("lossy") or (candidate.lossy and dest == target)
    entry: dict = {"source": candidate.source}
    if lossy:
        entry["lossy"] = True
    _write_page(docs, manifest, rel, result, entry, outcome, remove)
    outcome.written.append(rel)


def import_text(
    text: str,
    source: str,
    lang: str,
    docs: Path = DOCS,
    force: bool = False,
    kind: str = "auto",
    upstream: str | None = None,
    lossy: bool = False,
) -> Outcome:
    """Import one repaired document into ``docs`` (see module docstring)."""
    outcome = Outcome()
    if kind == "auto":
        is_course = any(
            _matches(h.text, spec["match"])
            for h in mdtext.headings(text)
            if h.level <= 2
            for spec in layout()["sections"].values()
        ) or any(CHAPTER.match(h.text) for h in mdtext.headings(text) if h.level == 3)
        notes_words = [w for words in layout()["notes"]["parts"].values() for w in words]
        if any(_matches(h.text, notes_words) for h in mdtext.headings(text) if h.level == 2):
            is_course = False
        kind = "course" if is_course else "notes"
    with fsio.locked(docs / LOCK_NAME):
        # everything that reads or writes docs happens under the lock: two imports at once
        # run one after the other and lose nothing
        manifest = _load_manifest(docs)
        if kind == "course":
            candidates = parse_course(text, source, _existing_titles(docs))
        else:
            candidates = parse_notes(text, source)
        # a page too short to tell takes the language of the whole document
        whole = detect_language(text) or lang
        _place_all(candidates, docs, manifest, outcome, force, lang, upstream, lossy, whole)
        _save_manifest(docs, manifest)
    return outcome


def _place_all(
    candidates: list[Candidate],
    docs: Path,
    manifest: dict,
    outcome: Outcome,
    force: bool,
    lang: str,
    upstream: str | None,
    lossy: bool,
    whole: str,
) -> None:
    for cand in candidates:
        cand.lossy = lossy
        cand.meta.update(copy.deepcopy(layout().get("front_matter", {}).get(cand.key, {})))
        if upstream and cand.key.split("/")[0] in layout()["sections"]:
            # chapters and section overviews record the upstream revision they follow
            cand.meta["upstream"] = upstream
        detected = detect_language(cand.text) or whole
        # a Chinese import's chapters left in English become English pages
        cand.lang = "en" if lang in chinese.SCRIPTS and detected == "en" else lang
        if cand.lang in chinese.SCRIPTS and detected != lang:
            outcome.notes.append(
                f"{cand.key}: declared {lang} but the text reads as {detected}; kept as {lang}"
            )
        place(cand, docs, manifest, outcome, force)


def command(
    sources: list[str],
    *,
    lang: str,
    force: bool,
    kind: str,
    docs: str | None,
    strict: bool,
    stdout: TextIO,
    stderr: TextIO,
    upstream: str | None = None,
) -> int:
    """`course.py import`: repair each source, split it into pages and report what changed."""
    from llmcourse import pages, repair

    if lang not in pages.LANGS:
        print(f"import: --lang must be one of {', '.join(pages.LANGS)}, not {lang!r}", file=stderr)
        return 2
    target = Path(docs) if docs else DOCS
    status = 0
    for src in sources:
        path = Path(src)
        try:
            fixed = repair.repair_file(path)
        except (OSError, ValueError) as exc:
            print(f"{src}: {exc}", file=stderr)
            status = 1
            continue
        for finding in fixed.findings:
            print(f"{finding}", file=stderr)
        if fixed.unresolved and strict:
            print(
                f"{src}: {len(fixed.unresolved)} characters restored without confidence (--strict)",
                file=stderr,
            )
            status = 1
            continue
        try:
            lossy = any(f.kind.startswith("lossy") for f in fixed.findings)
            outcome = import_text(fixed.text, path.name, lang, target, force, kind, upstream, lossy)
        except (ImportError_, mdtext.FrontMatterError) as exc:
            print(str(exc), file=stderr)
            status = 1
            continue
        except OSError as exc:  # docs/ not writable, or a file where a folder must be
            print(f"{src}: cannot write the pages into {target}: {exc}", file=stderr)
            status = 1
            continue
        for rel in outcome.written:
            print(f"wrote {rel}", file=stdout)
        for line in outcome.kept + outcome.notes:
            print(line, file=stdout)
        for line in outcome.backups:
            print(line, file=stderr)
        for line in outcome.refused:
            print(line, file=stderr)
            status = 1
        print(
            f"{src}: {len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
            f"{len(outcome.kept)} kept, {len(outcome.refused)} refused",
            file=stdout,
        )
    return status
