"""The version selector only where versions exist: in the builds mike makes.

Material's selector fetches ../versions.json from the site root, a file only mike writes
(at the root of the gh-pages branch). `mkdocs serve` and a plain `mkdocs build` have no
versions, so they would show no selector but request the file from every page (a 404 each
time); without `extra.version` Material asks for nothing.
"""

from __future__ import annotations

import os

from mike.mkdocs_utils import docs_version_var
from mkdocs.config.defaults import MkDocsConfig


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Drop `extra.version` unless mike is building a version."""
    if not os.environ.get(docs_version_var):
        config.extra.pop("version", None)
    return config
