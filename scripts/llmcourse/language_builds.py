"""The language builds of one site build.

mkdocs-static-i18n builds the site once per language: the first (default) language's build
runs the others from its ``on_post_build``, one after another, each a whole MkDocs build with
every event again, on the same configuration. Work that holds for the whole site is done once,
in the first build, and reused by the builds inside it (:func:`nested`).
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig


def nested(config: MkDocsConfig) -> bool:
    """Whether this is one of mkdocs-static-i18n's language builds inside the first one."""
    i18n = config.plugins.get("i18n")
    return i18n is not None and bool(getattr(i18n, "building", False))
