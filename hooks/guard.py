"""Refuse what docs/ must not publish or cannot build, before anything reads it."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

from llmcourse import check, guard


@event_priority(100)  # before any other hook or plugin looks at the files
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Symbolic links, files from outside docs/ and active files stop the build here."""
    docs = Path(config.docs_dir)
    problems = [
        check.Problem(path, line, col, message, hint).format()
        for path, line, col, message, hint in guard.tree_problems(docs, _root(config))
    ]
    if problems:
        raise PluginError("docs/ holds files the site must not publish:\n" + "\n".join(problems))
    return config


@event_priority(100)  # before chinese_variants and mkdocs-static-i18n read the pages
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Every page within the limits, UTF-8, with YAML front matter: else file:line:col."""
    problems: list[str] = []
    for file in files:
        path = Path(file.abs_src_path or "")
        if not file.abs_src_path or path.suffix not in guard.PAGE_TYPES:
            continue
        if not path.resolve().is_relative_to(Path(config.docs_dir).resolve()):
            continue  # a generated file of ours (a converted notebook in .cache/)
        report = check.FileReport(guard.display(path, _root(config)))
        guard.page_problems(path.read_bytes(), path.suffix, report)
        problems += [p.format() for p in report.finish()]
    if problems:
        raise PluginError("pages the build cannot take:\n" + "\n".join(problems))
    return files


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or config.docs_dir).parent
