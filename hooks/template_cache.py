"""Theme templates compiled once for every language build and serve rebuild
(llmcourse.template_cache), not once per build."""

from __future__ import annotations

import jinja2
from mkdocs.config.defaults import MkDocsConfig

from llmcourse import template_cache


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files) -> jinja2.Environment:
    """Give the build's environment the shared bytecode cache."""
    env.bytecode_cache = template_cache.SHARED
    return env
