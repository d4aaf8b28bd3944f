"""Refuse what docs/ must not publish or cannot build, before anything reads it."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from llmcourse import guard


@event_priority(100)  # before any other hook or plugin looks at docs/
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Links out of docs/, active files and pages the build cannot take stop the build here."""
    problems = guard.docs_problems(Path(config.docs_dir), _root(config))
    if problems:
        raise PluginError("docs/ holds what the site cannot publish:\n" + "\n".join(problems))
    return config


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or config.docs_dir).parent
