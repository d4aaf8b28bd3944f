"""Theme templates compiled once for every language build and serve rebuild, and the theme's
files listed once per site build (llmcourse.template_cache), not once per language."""

from __future__ import annotations

import jinja2
from mkdocs.config.defaults import MkDocsConfig

from llmcourse import language_builds, template_cache


def on_config(config: MkDocsConfig) -> None:
    """List the theme's files in the site build's first language build only."""
    template_cache.list_once(config.theme, fresh=not language_builds.nested(config))


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files) -> jinja2.Environment:
    """Give the build's environment the shared bytecode cache."""
    env.bytecode_cache = template_cache.SHARED
    return env
