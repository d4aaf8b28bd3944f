"""Under `mkdocs build`, every language built at once, each in a process of its own
(llmcourse.language_builds): the output is the same as one language after another."""

from __future__ import annotations

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation

from llmcourse import language_builds


def on_startup(*, command: str, dirty: bool) -> None:
    """Languages side by side for `mkdocs build`, one by one for `mkdocs serve`."""
    language_builds.enable(command)


@event_priority(-130)  # last: the site folder is clean and mkdocs-static-i18n knows its files
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """In the first build, start the other languages' builds."""
    language_builds.start(config)
    return files


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    """Keep the first build's navigation, for the sitemap."""
    language_builds.remember(config, nav=nav)
    return nav


def on_env(env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
    """Keep the first build's theme environment and files, for the sitemap."""
    language_builds.remember(config, env=env, files=files)
    return env


@event_priority(-105)  # after mkdocs-static-i18n's loop (-100), before search (-110)
def on_post_build(*, config: MkDocsConfig) -> None:
    """The other languages built: the sitemap with all of them."""
    language_builds.finish(config)


def on_build_error(*, error: Exception) -> None:
    """Stop the other languages' builds when the first one fails."""
    language_builds.abandon()
