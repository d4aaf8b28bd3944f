"""The site build as ``check`` runs it: the project's mkdocs.yml over any docs folder, its
warnings and errors turned into ``file:line:col`` problems.

``course.py check`` does not guess what the build will make of a page: it runs the same
build (every language, every hook, the sanitizer, the conversion) into a temporary folder
and reports what the strict build would refuse, at the line of the page's source.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from llmcourse import guard, mdtext, pages

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG = ROOT / "mkdocs.yml"
#: A message of our hooks: "path:line:col: message (hint: …)".
LOCATED = re.compile(r"^(?P<path>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")
HINT = re.compile(r"^(?P<message>.*?)(?: \(hint: (?P<hint>.*)\))?$", re.S)
#: MkDocs' own warnings that name a page and a link in it.
DOC_LINK = re.compile(
    r"Doc file '(?P<page>[^']+)' contains (?:a|an unrecognized relative) "
    r"link '(?P<target>[^']+)'"
)
DOC_FILE = re.compile(r"Doc file '(?P<page>[^']+)'")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def problems(docs: Path, only: Iterable[Path] | None, known: Iterable) -> list:
    """What building ``docs`` with the project's configuration warns about or fails on.

    ``only``: report just these files (pre-commit passes the changed ones); ``known``:
    problems the source checks found already, which the build's own report of the same line
    would repeat.
    """
    from llmcourse.check import Problem

    records: list[str] = []
    with _captured(records), tempfile.TemporaryDirectory(prefix="course-check-") as site:
        failure = _run(docs, Path(site))
    found: list[Problem] = []
    for record in records:
        lines = [ANSI.sub("", line).strip() for line in record.split("\n")]
        located = [line for line in lines if LOCATED.match(line)]
        for message in located or lines[:1]:
            problem = _locate(message, docs)
            if problem is not None:
                found.append(Problem(*problem))
    if failure and not found:  # its details, when MkDocs logged them, are in the records
        problem = _locate(failure.split("\n")[-1], docs)
        found.append(Problem(*problem) if problem else Problem(_display(docs), 1, 1, failure))
    known = list(known)
    seen = {(p.path, p.line) for p in known}
    # A removal the build could not place (1:1), or in a notebook, in a file with problems
    # already is one of theirs.
    troubled = {p.path for p in known}
    shown = None if only is None else {_display(Path(f).resolve()) for f in only}
    out: list[Problem] = []
    for problem in found:
        key = (problem.path, problem.line)
        if key in seen or (shown is not None and problem.path not in shown):
            continue
        if problem.path in troubled and (
            (problem.line, problem.col) == (1, 1) or problem.path.endswith(".ipynb")
        ):
            continue  # check's own notebook findings name the cell; the build's repeat them
        seen.add(key)
        out.append(problem)
    return out


def _run(docs: Path, site: Path) -> str | None:
    """Build; the error text when the build fails, None when it finishes."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config

    try:
        config = load_config(
            config_file=str(CONFIG),
            docs_dir=str(docs.resolve()),
            site_dir=str(site),
            strict=False,
        )
        if docs.resolve() != (ROOT / "docs").resolve():
            config["nav"] = None  # the project's nav names the course's own pages
        mkdocs_build.build(config)
    except RecursionError:
        return f"{_display(docs)}:1:1: the build ran out of recursion depth"
    except Exception as exc:  # noqa: BLE001 - every failure of the build is a problem to report
        return (
            str(exc)
            if LOCATED.match(str(exc).split("\n")[-1])
            else (f"{_display(docs)}:1:1: the build failed: {type(exc).__name__}: {exc}")
        )
    return None


def _locate(message: str, docs: Path) -> tuple[str, int, int, str, str] | None:
    """(path, line, col, message, hint) of one line of the build's output, if it is one."""
    if not message:
        return None
    m = LOCATED.match(message)
    if m:
        text = HINT.match(m["rest"])
        path = Path(m["path"]) if Path(m["path"]).is_absolute() else CONFIG.parent / m["path"]
        return (_display(path), int(m["line"]), int(m["col"]), text["message"], text["hint"] or "")
    link = DOC_LINK.search(message)
    page = link or DOC_FILE.search(message)
    if page:
        path = pages.source_file(docs, page["page"]) or docs / page["page"]
        line, col = 1, 1
        if link and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            at = text.find(link["target"])
            line, col = mdtext.line_col(text, at) if at >= 0 else (1, 1)
        return (
            _display(path),
            line,
            col,
            f"build: {message}",
            "fix the link so that it names a page of this language or its source",
        )
    if "in strict mode" in message:
        return None
    return (_display(docs), 1, 1, f"build: {message}", "")


def _display(path: Path) -> str:
    """As check shows paths: relative to the working directory when inside it."""
    return guard.display(path.resolve(), Path.cwd().resolve())


class _Collect(logging.Handler):
    def __init__(self, records: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@contextlib.contextmanager
def _captured(records: list[str]) -> Iterator[None]:
    """Collect MkDocs' warnings and errors; keep its INFO chatter off the terminal."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect(records)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
