"""``course.py pr-summary``: what a pull request does to the site, as Markdown for its job summary.

CI appends the output to ``$GITHUB_STEP_SUMMARY`` on every pull request, forks included (it
needs no token). Four sections, each from the module that knows it:

* **pages changed** - the pages and notebooks in ``docs/`` that ``git diff --name-status
  <base>...HEAD`` lists (added, modified, deleted, renamed), each with its page in the site;
* **generated pages they feed** - a Chinese source also makes its page in the other script
  (``hooks/chinese_variants.py``) and, while the page has no ``.en`` file, the English page
  that shows it as a fallback, as every language that is not a Chinese script does
  (:mod:`llmcourse.pages`, :mod:`llmcourse.status`);
* **English pages now outdated** - translations whose Chinese source this pull request
  changed after them (:func:`llmcourse.status.entries`);
* **check's findings** - every problem ``course.py check`` reports (:mod:`llmcourse.check`),
  each linked to its line on GitHub (``blob/<sha>/<path>?plain=1#L<line>``) when ``--repo``
  and ``--sha`` say where.

File names, page paths and check's messages come from the pull request: each is shown in a
code span (longer fences than any backtick run inside, control and bidirectional characters
made visible, ``|`` escaped in tables), so nothing a contributor writes renders as a link, an
image, HTML or emphasis. The command exits 0 with findings (CI's check step fails on them);
2 on a usage error (a base git does not know, a malformed ``--repo`` or ``--sha``).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from llmcourse import ROOT, check, chinese, guard, pages, status

ADDED, MODIFIED, DELETED, RENAMED = "added", "modified", "deleted", "renamed"


class UsageError(Exception):
    """A base, repository or commit the command cannot use."""


@dataclass(frozen=True)
class Change:
    """One file a pull request changes, as ``git diff --name-status`` lists it."""

    kind: str  # ADDED, MODIFIED, DELETED or RENAMED
    path: str  # repository path after the change (the removed path for a deletion)
    old: str | None = None  # the path before a rename


@dataclass(frozen=True)
class Fed:
    """A page the build makes from a changed source: another script, or a translation's
    fallback (the English page, while there is no .en file)."""

    page: str  # its path in the site, "/zh-CN/guide/"
    source: str  # the repository path it is made from
    how: str  # CONVERTED or FALLBACK
    lang: str  # the language of the page


# --------------------------------------------------------------------------- the command


def command(
    *,
    base: str,
    repo: str | None,
    sha: str | None,
    artifact_url: str | None = None,
    root: Path = ROOT,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Print the summary; 0 even with findings, 2 on a usage error."""
    try:
        link = _link_base(root, repo, sha)
        if artifact_url and not ARTIFACT_URL.fullmatch(artifact_url):
            raise UsageError(f"--artifact-url {artifact_url!r} is not a GitHub artifact URL")
        stdout.write(render(root, base, link, artifact_url or None))
    except UsageError as exc:
        print(f"pr-summary: {exc}", file=stderr)
        return 2
    return 0


def render(root: Path, base: str, link: str | None, artifact_url: str | None = None) -> str:
    """The job summary's Markdown for HEAD against ``base`` in the repository at ``root``.

    ``link``: ``https://github.com/<repo>/blob/<sha>/`` for links to check's lines, or None.
    """
    changed = changes(root, base)
    docs = root / "docs"
    page_changes = [c for c in changed if _src_uri(c.path) is not None]
    out = [TITLE, "", INTRO.format(base=code(base))]
    if artifact_url:
        out += ["", ARTIFACT.format(url=artifact_url)]

    out += ["", f"### {PAGES_CHANGED} ({len(page_changes)})", ""]
    if page_changes:
        out += [PAGES_HEAD, "|---|---|---|---|"]
        out += [_change_row(c, docs) for c in page_changes]
    else:
        out.append(NONE)

    fed = fed_pages(page_changes, docs)
    out += ["", f"### {FED_PAGES} ({len(fed)})", ""]
    if fed:
        out += [FED_HEAD, "|---|---|---|"]
        out += [f"| {cell(f.page)} | {cell(f.source)} | {_how(f)} |" for f in fed]
    else:
        out.append(NONE)

    try:
        stale = outdated(page_changes, docs)
    except (OSError, ValueError) as exc:  # a page status cannot read: check reports it below
        out += ["", f"### {_outdated()}", "", NOT_WORKED_OUT.format(error=code(str(exc)))]
    else:
        out += ["", f"### {_outdated()} ({len(stale)})", ""]
        if stale:
            out += [
                OUTDATED_HEAD.format(language=pages.names(pages.TRANSLATIONS, "or")),
                "|---|---|---|",
            ]
            out += [f"| {cell(p)} | {cell(en)} | {cell(src)} |" for p, en, src in stale]
        else:
            out.append(NONE)

    found = findings(root)
    out += ["", f"### {FINDINGS} ({len(found)})", ""]
    out += [finding_line(p, link) for p in found[:MAX_FINDINGS]]
    if len(found) > MAX_FINDINGS:
        out.append(MORE_FINDINGS.format(n=len(found) - MAX_FINDINGS))
    if not found:
        out.append(NO_FINDINGS)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- what changed


def changes(root: Path, base: str) -> list[Change]:
    """The files HEAD changes since its merge base with ``base``, renames detected."""
    if base.startswith("-"):
        raise UsageError(f"--base {base!r} is not a git revision")
    result = subprocess.run(
        ["git", "diff", "--name-status", "-z", "-M", "--no-color", f"{base}...HEAD", "--"],
        cwd=root,
        capture_output=True,
        timeout=120,
    )
    if result.returncode:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git diff {base}...HEAD failed: {message[0] if message else ''}")
    fields = [os.fsdecode(f) for f in result.stdout.split(b"\0")]
    out: list[Change] = []
    i = 0
    while i < len(fields) and fields[i]:
        letter = fields[i][0]
        if letter in "RC":  # R/C<score>, old path, new path; a copy adds the new path
            old, new = fields[i + 1], fields[i + 2]
            out.append(Change(RENAMED, new, old) if letter == "R" else Change(ADDED, new))
            i += 3
            continue
        kind = {"A": ADDED, "D": DELETED}.get(letter, MODIFIED)  # M, T (type), U
        out.append(Change(kind, fields[i + 1]))
        i += 2
    return out


def fed_pages(changed: list[Change], docs: Path) -> list[Fed]:
    """The pages the build makes from the changed Chinese sources that HEAD has."""
    out: list[Fed] = []
    for change in changed:
        src_uri = _src_uri(change.path)
        if change.kind == DELETED or src_uri is None:
            continue
        lang = pages.language_of(src_uri)
        if lang not in chinese.SCRIPTS:
            continue
        key, ext = pages.page_key(src_uri), src_uri.rsplit(".", 1)[-1]
        other = chinese.other(lang)
        if not (docs / pages.file_name(key, ext, other)).exists():  # else it is its own source
            out.append(Fed(pages.url(key, other), change.path, CONVERTED, other))
        for translation in pages.TRANSLATIONS:
            if not (docs / pages.file_name(key, ext, translation)).exists():
                out.append(Fed(pages.url(key, translation), change.path, FALLBACK, translation))
    return out


def outdated(changed: list[Change], docs: Path) -> list[tuple[str, str, str]]:
    """(translated page, its file, the Chinese source) for each translation this change outdated.

    Outdated as the status page says it (:mod:`llmcourse.status`): the source's last commit is
    newer than the translation's; listed when the source is one this pull request changed.
    """
    status.forget_dates()
    entries = status.entries(docs)
    sources = {e.key: e.file for e in entries if e.state == status.SOURCE}
    touched = {c.path for c in changed if c.kind != DELETED}
    prefix = f"{docs.name}/"
    return [
        (pages.url(e.key, e.lang), prefix + str(e.file), prefix + sources[e.key])
        for e in entries
        if e.state == status.OUTDATED and prefix + sources[e.key] in touched
    ]


def findings(root: Path) -> list[check.Problem]:
    """Every problem ``course.py check`` finds in the tree at ``root``, paths from ``root``."""
    targets = [p for p in (root / "docs", root / "locales") if p.exists()]
    if not targets:
        return []
    with contextlib.chdir(root):  # check shows paths relative to the working directory
        problems, _ = check.run_checks(targets)
    return problems


# --------------------------------------------------------------------------- pages


def _src_uri(path: str) -> str | None:
    """A docs/ page's path inside docs/, or None for any other file."""
    if path.startswith("docs/") and pages.LANGUAGE_FILE.search(path):
        return path.removeprefix("docs/")
    return None


def _how(fed: Fed) -> str:
    return HOW[fed.how].format(language=pages.language(fed.lang).name)


def _outdated() -> str:
    return OUTDATED.format(language=pages.names(pages.TRANSLATIONS, "and"))


def _change_row(change: Change, docs: Path) -> str:
    src_uri = _src_uri(change.path)
    assert src_uri is not None
    lang = pages.language_of(src_uri)
    page = cell(pages.url(pages.page_key(src_uri), lang))
    if change.kind == RENAMED:
        what = f"{RENAMED} from {cell(change.old or '')}"
    else:
        what = change.kind
    if change.kind == DELETED:
        page += f" {REMOVED}"
    return f"| {what} | {cell(change.path)} | {lang} | {page} |"


# --------------------------------------------------------------------------- Markdown


def finding_line(problem: check.Problem, link: str | None) -> str:
    """A list item: the place (a link to the line when ``link`` is given), message and hint."""
    place = code(f"{problem.path}:{problem.line}:{problem.col}")
    if link and not Path(problem.path).is_absolute() and not problem.path.startswith("../"):
        # plain=1: GitHub shows Markdown, notebooks and SVG rendered, without line anchors
        url = f"{link}{urllib.parse.quote(problem.path, safe='/')}?plain=1#L{problem.line}"
        place = f"[{place}]({url})"
    hint = f" {HINT} {code(problem.hint)}" if problem.hint else ""
    return f"- {place} {code(problem.message)}{hint}"


def code(text: str) -> str:
    """``text`` as a Markdown code span that shows it exactly and renders nothing in it."""
    text = visible(text)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in guard.BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    """A code span inside a GFM table cell: ``|`` escaped (tables split on it first)."""
    return code(text).replace("|", "\\|")


def visible(text: str) -> str:
    """Line breaks, control, bidirectional and undecodable characters shown as escapes."""
    return "".join(
        f"\\u{{{ord(ch):x}}}"
        if unicodedata.category(ch) in HIDDEN_CATEGORIES or ch in BIDI_CONTROLS
        else ch
        for ch in text
    )


def _link_base(root: Path, repo: str | None, sha: str | None) -> str | None:
    """``https://github.com/<repo>/blob/<sha>/`` (sha defaults to HEAD), or None without repo."""
    if repo is None:
        if sha is not None:
            raise UsageError("--sha needs --repo")
        return None
    if not REPO.fullmatch(repo):
        raise UsageError(f"--repo {repo!r} is not owner/name")
    if sha is None:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=60
        )
        sha = head.stdout.strip()
    if not SHA.fullmatch(sha):
        raise UsageError(f"--sha {sha!r} is not a commit hash")
    return f"https://github.com/{repo}/blob/{sha}/"


# --------------------------------------------------------------------------- data

CONVERTED, FALLBACK = "converted", "fallback"
#: Unicode categories shown as escapes: controls, line/paragraph separators, surrogates (bytes
#: that were not UTF-8), unassigned code points.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp", "Cn"})
#: Characters that reorder text around them (Trojan Source): shown as escapes too.
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
ARTIFACT_URL = re.compile(
    r"https://github\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+/actions/runs/\d+/artifacts/\d+"
)
#: Findings listed before the rest are counted (a job summary holds at most 1 MiB).
MAX_FINDINGS = 200

TITLE = "## What this pull request does to the site"
INTRO = "Compared with the merge base of {base}."
ARTIFACT = (
    "The built site is this run's [site artifact]({url}): unzip it and serve the folder, "
    "e.g. `python3 -m http.server -d site`."
)
PAGES_CHANGED = "Pages changed"
PAGES_HEAD = "| Change | File | Language | Page |"
REMOVED = "(removed)"
FED_PAGES = "Generated pages they feed"
FED_HEAD = "| Page | Made from | How |"
HOW = {
    CONVERTED: "converted to the other script",
    FALLBACK: "shown as the {language} page until it is translated",
}
OUTDATED = "{language} pages now outdated"
OUTDATED_HEAD = "| {language} page | Translation | Changed Chinese source |"
NOT_WORKED_OUT = "Not worked out: {error}"
FINDINGS = "`check` findings"
HINT = "hint:"
NO_FINDINGS = "None: `python3 scripts/course.py check` passes."
MORE_FINDINGS = "- … {n} more: run `python3 scripts/course.py check` to see them all."
NONE = "None."
