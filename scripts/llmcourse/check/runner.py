"""``course.py check``: which files get which checks, the build's own report, the output."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from llmcourse import DOCS, LOCALES, build, chinese, guard, pages
from llmcourse.check.locale_files import check_glossary, check_yaml_mapping
from llmcourse.check.notebooks import check_notebook
from llmcourse.check.page_checks import check_page, check_parity
from llmcourse.check.report import FileReport, Problem
from llmcourse.check.site import Site, key_of, lang_of
from llmcourse.check.time_limits import FILE_SECONDS, CheckTimeout, time_limit

DEFAULT_PATHS = (DOCS, LOCALES)


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
