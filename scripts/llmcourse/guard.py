"""What the build refuses before it reads a page: links out of docs/, active files, oversize input.

``docs/`` may come from a stranger. The build (``hooks/guard.py``) and ``course.py check`` both
call these functions, so they refuse the same things with the same ``file:line:col`` message:

* anything in docs/ that is a symbolic link, or resolves outside docs/ (``/etc/passwd``,
  ``../.git/config``);
* files a browser would run rather than show: only the extensions in :data:`STATIC_TYPES`
  are published, and an SVG must pass the page sanitizer's policy;
* pages larger than :data:`MAX_PAGE_BYTES`, notebooks larger than :data:`MAX_NOTEBOOK_BYTES`,
  lines longer than :data:`MAX_LINE_CHARS`, more than :data:`MAX_CODE_SPANS` code spans,
  lists or quotes nested deeper than ``check.structure.MAX_NESTING`` (Python-Markdown
  recurses once per level);
* pages that are not UTF-8 text, and front matter that is not a YAML mapping.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from llmcourse import mdspans
from llmcourse.glossary import ConversionRuleError

ROOT = Path(__file__).resolve().parent.parent.parent
#: A page's problems by (name shown, suffix, digest of its bytes): see docs_problems.
_FOUND: dict[tuple[str, str, bytes], list[str]] = {}

#: The largest Markdown page built (30× the largest course page): bigger is refused at once.
MAX_PAGE_BYTES = 1_000_000
#: The largest notebook built (outputs with images included).
MAX_NOTEBOOK_BYTES = 10_000_000
#: The longest line of a Markdown page (10× the longest course line).
MAX_LINE_CHARS = 10_000
#: The most code spans a page may have (the course's busiest page has ten): past
#: that, Python-Markdown's inline processing takes seconds per thousand.
MAX_CODE_SPANS = 5_000
BACKTICKS = re.compile(r"`+")
#: A JSON escape of a UTF-16 surrogate (half of a character outside the BMP).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
#: Files published as they are (besides pages and notebooks). HTML, JavaScript, XML, and
#: text a browser would run if a page named it as a script (.txt, .pdf and the like: the
#: CSP allows the site's own files) are refused: the site's code lives in overrides/.
STATIC_TYPES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".svg", ".csv"}
)
PAGE_TYPES = frozenset({".md", ".ipynb"})
#: Characters a file or folder name may not have: markup, quotes and control characters.
UNSAFE_NAME = re.compile(r"[<>\"'`&\x00-\x1f\x7f]")
#: Front-matter keys templates print as text: they must be plain strings.
TEXT_KEYS = ("title", "description")
#: Material's ``hide`` names.
HIDE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})
#: Front matter values the theme turns into markup, with the shape they must have: ``status``
#: becomes a class (``md-status--{status}``: a space would add any class, ``md-consent__overlay``
#: a full-screen overlay), ``hide`` a list the template iterates.
SHAPED_KEYS = (
    (
        "status",
        lambda v: isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9-]*", v) is not None,
        ("is not one word", "write a status such as new or deprecated"),
    ),
    (
        "hide",
        lambda v: isinstance(v, list) and all(isinstance(x, str) and x in HIDE for x in v),
        ("is not a list of names", f"list some of {', '.join(sorted(HIDE))}"),
    ),
)


def tree_problems(docs: Path, root: Path) -> Iterator[tuple[str, int, int, str, str]]:
    """(path, line, col, message, hint) for every link or file docs/ must not publish."""
    docs_real = docs.resolve()
    for dirpath, dirnames, filenames in os.walk(docs):  # never follows links
        for name in sorted(dirnames + filenames):
            path = Path(dirpath, name)
            shown = display(path, root)
            if name.startswith(".") and not path.is_symlink():
                continue
            if UNSAFE_NAME.search(name):
                yield (
                    shown,
                    1,
                    1,
                    f"file name {name!r} has characters that are markup or controls "
                    "(a folder's name is the section's title)",
                    "rename it with letters, digits, '-', '_' and '.'",
                )
                continue
            if path.is_symlink():
                target = os.readlink(path)
                yield (
                    shown,
                    1,
                    1,
                    f"symbolic link to {target}: nothing from outside docs/ is published, "
                    "and links are refused even inside it",
                    "replace the link with the file itself",
                )
                continue
            if not path.resolve().is_relative_to(docs_real):
                yield shown, 1, 1, "resolves outside docs/", "move the file into docs/"
                continue
            if Path(dirpath) == docs and name in _site_folders():
                yield (
                    shown,
                    1,
                    1,
                    f"'{name}' is a folder the site makes itself (the theme's assets, the search "
                    "index, a language): a page there would collide with its files",
                    "put pages in a section folder and images in docs/img/",
                )
                dirnames[:] = [d for d in dirnames if d != name]
                continue
            if path.is_file() and path.suffix.lower() not in PAGE_TYPES | STATIC_TYPES:
                yield (
                    shown,
                    1,
                    1,
                    f"{path.suffix or 'extensionless'} files are not published from docs/ "
                    "(only pages, notebooks and " + ", ".join(sorted(STATIC_TYPES)) + ")",
                    "theme code belongs in overrides/; convert documents to Markdown",
                )
            elif path.suffix.lower() == ".svg":
                yield from _svg_problems(path, shown)
        # hidden folders (.git) are never published (MkDocs' exclude_docs): not walked
        dirnames[:] = [
            d for d in dirnames if not d.startswith(".") and not Path(dirpath, d).is_symlink()
        ]


@functools.cache
def _site_folders() -> frozenset[str]:
    """Top-level folders of the built site that no file of docs/ may use: the theme's assets,
    Pagefind's index and every language but the default's."""
    from llmcourse import pages

    return frozenset({"assets", "pagefind", "search"}) | {
        lang.locale for lang in pages.LANGUAGES if not lang.default
    }


def docs_problems(docs: Path, root: Path) -> list[str]:
    """Everything the build refuses docs/ for, as ``file:line:col: message (hint: …)`` lines.

    A page's problems are remembered by its name and bytes: every language build and serve's
    rebuilds read the same files, and an edited page is looked at again.
    """
    from llmcourse.check.report import FileReport, Problem

    problems = [Problem(*found).format() for found in tree_problems(docs, root)]
    if problems:
        return problems
    for path in pages(docs):
        data = path.read_bytes()
        key = (display(path, root), path.suffix, hashlib.blake2b(data).digest())
        if key not in _FOUND:
            if len(_FOUND) >= 4096:
                _FOUND.pop(next(iter(_FOUND)))
            report = FileReport(key[0])
            page_problems(data, path.suffix, report)
            _FOUND[key] = [p.format() for p in report.finish()]
        problems += _FOUND[key]
    return problems


def pages(docs: Path) -> Iterator[Path]:
    """The pages and notebooks of a docs folder (hidden files and links aside)."""
    for dirpath, dirnames, filenames in os.walk(docs):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if not name.startswith(".") and path.suffix in PAGE_TYPES and not path.is_symlink():
                yield path


def page_problems(data: bytes, suffix: str, report) -> str | None:
    """Size, encoding, line length, nesting and front matter of one page; its text if usable.

    ``report`` is a ``check.FileReport``: problems go there as ``line, col, message, hint``.
    """
    from llmcourse import mdtext
    from llmcourse.check.encoding import decode_page
    from llmcourse.check.report import split_located
    from llmcourse.check.structure import check_nesting

    if not within_limits(data, None, suffix, report):
        return None
    text = decode_page(data, report)
    if text is None or not within_limits(data, text, suffix, report):
        return None
    if suffix == ".ipynb":
        try:
            notebook = json.loads(text)
        except json.JSONDecodeError as exc:
            report.add(
                exc.lineno,
                exc.colno,
                f"notebook is not valid JSON: {exc.msg}",
                "re-save it from Jupyter",
            )
            return None
        except RecursionError:
            report.add(1, 1, "notebook JSON is nested too deeply", "re-save it from Jupyter")
            return None
        lone = _lone_surrogate(text)
        if lone is not None:
            line = text.count("\n", 0, lone) + 1
            report.add(
                line,
                lone - (text.rfind("\n", 0, lone) + 1) + 1,
                "notebook holds half a character (a lone UTF-16 surrogate escape), which no "
                "page can show",
                "remove the \\u escape or write the whole character",
            )
            return None
        return text if _notebook_table_usable(notebook, text, report) else None
    if not front_matter_plain(text, report):
        return None
    try:
        meta, body, skipped = mdtext.split_front_matter(text, report.path)
    except mdtext.FrontMatterError as exc:
        line, col, message = split_located(str(exc), report.path)
        report.add(line, col, message, "fix the YAML between the --- lines")
        return None
    for key in TEXT_KEYS:
        if key in meta and not isinstance(meta[key], str):
            report.add(
                key_line(text, key),
                1,
                f"front matter {key} must be text, not {type(meta[key]).__name__}",
                f'write it as {key}: "…"',
            )
            return None
    for key, message, hint in meta_problems(meta):
        report.add(key_line(text, key), 1, message, hint)
        return None
    lines = body.splitlines()
    check_nesting(lines, skipped + 1, mdtext.code_mask(lines), report)
    return text


def _notebook_table_usable(notebook: object, text: str, report) -> bool:
    """A notebook's own conversion table (metadata ``llmcourse``) is well formed, or it is
    reported at its key: the build would otherwise fail on it in the middle of a page."""
    from llmcourse import chinese
    from llmcourse.rules import notebook_rules

    try:
        for to in chinese.SCRIPTS:
            notebook_rules(notebook, to, report.path)
    except ConversionRuleError as exc:
        keys = list(re.finditer(r'"llmcourse"\s*:', text))  # the metadata comes last
        at = keys[-1].start() if keys else 0
        report.add(
            text.count("\n", 0, at) + 1,
            at - (text.rfind("\n", 0, at) + 1) + 1,
            str(exc).removeprefix(f"{report.path}: "),
            'write it as "llmcourse": {"conversion": [{"zh-TW": "…", "zh-CN": "…"}, …]}',
        )
        return False
    return True


def _lone_surrogate(text: str) -> int | None:
    """The offset of the first surrogate escape of notebook JSON that is not half of a pair."""
    matches = list(SURROGATE_ESCAPE.finditer(text))
    i = 0
    while i < len(matches):
        high = matches[i].group()[3].lower() in "89ab"
        pair = (
            high
            and i + 1 < len(matches)
            and matches[i + 1].start() == matches[i].end()
            and matches[i + 1].group()[3].lower() in "cdef"
        )
        if not pair:
            return matches[i].start()
        i += 2
    return None


def front_matter_plain(text: str, report) -> bool:
    """False (and a problem) for front matter with YAML anchors, aliases or explicit tags.

    Aliases can make a few hundred bytes expand exponentially in whatever walks the values
    (a "billion laughs"); tags (!!set, !!python/…) make values no template expects.
    """
    fm = mdspans.front_matter(text)
    if fm is None or fm.markup is None:
        return True  # a YAML error is reported by split_front_matter, with its place
    kind, line, col = fm.markup
    report.add(
        line,
        col,
        f"front matter uses a YAML {kind}: write plain values",
        "repeat the value instead of referring to it; drop the tag",
    )
    return False


def key_line(text: str, key: str) -> int:
    """The line of a top-level front matter key (1 when the page has no such key)."""
    fm = mdspans.split_front_matter(text)
    return fm.marks().get((key,), (1, 1))[0] if fm is not None else 1


def meta_problems(meta: dict) -> list[tuple[str, str, str]]:
    """(key, message, hint) of each front-matter value whose shape the theme cannot take: a
    ``status`` or ``hide`` of another shape, an ``icon`` the theme lacks (it crashes the
    template). The build also asks it of the metadata MkDocs read without ``---`` lines."""
    found = [
        (key, f"front matter {key} {meta[key]!r} {hint[0]}", hint[1])
        for key, allowed, hint in SHAPED_KEYS
        if key in meta and not allowed(meta[key])
    ]
    icon = meta.get("icon")
    if icon is not None and not _icon_exists(icon):
        found.append(
            (
                "icon",
                f"front matter icon {icon!r} is not one of the theme's icons",
                "use a name such as material/book-open-variant, or remove it",
            )
        )
    return found


def _icon_exists(icon: object) -> bool:
    """Whether Material (or overrides/) has this icon: a missing one crashes the template."""
    import material

    if not isinstance(icon, str) or not re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)+", icon):
        return False
    roots = [Path(material.__file__).parent / "templates" / ".icons", ROOT / "overrides" / ".icons"]
    return any((root / f"{icon}.svg").is_file() for root in roots)


def within_limits(data: bytes, text: str | None, suffix: str, report) -> bool:
    """False (and a problem) for a page larger, or with a line longer, than the limits."""
    limit = MAX_NOTEBOOK_BYTES if suffix == ".ipynb" else MAX_PAGE_BYTES
    if len(data) > limit:
        report.add(
            1,
            1,
            f"{len(data):,} bytes: larger than the {limit:,} bytes a page may have",
            "split it into several pages",
        )
        return False
    if text is None or suffix == ".ipynb":
        return True
    spans = 0
    for number, line in enumerate(text.split("\n"), 1):
        spans += len(BACKTICKS.findall(line))
        if spans > 2 * MAX_CODE_SPANS:
            report.add(
                number,
                1,
                f"more than {MAX_CODE_SPANS:,} code spans: Python-Markdown's time grows with "
                "the square of their number in a page",
                "split the page, or put long lists of code in a fenced block",
            )
            return False
        if len(line) > MAX_LINE_CHARS:
            report.add(
                number,
                MAX_LINE_CHARS + 1,
                f"line of {len(line):,} characters: longer than the {MAX_LINE_CHARS:,} a "
                "line may have",
                "break it into paragraphs or list items",
            )
            return False
    return True


def display(path: Path, root: Path) -> str:
    """A path as messages show it: relative to the project folder when inside it."""
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return str(path)


def _svg_problems(path: Path, shown: str) -> Iterator[tuple[str, int, int, str, str]]:
    """An SVG opened on its own runs its scripts: it must pass the sanitizer's policy."""
    from llmcourse import sanitize

    data = path.read_bytes()
    if len(data) > MAX_PAGE_BYTES:
        yield shown, 1, 1, f"{len(data):,} bytes: too large for an SVG", "optimise it"
        return
    text = data.decode("utf-8", errors="replace")
    taken: set[int] = set()
    for finding in sanitize.svg_findings(text):
        line, col = sanitize.locate(text, finding, taken, markdown=False)
        yield (
            shown,
            line,
            col,
            f"SVG: {finding.message}",
            "export the image again without scripts, links or event handlers",
        )
