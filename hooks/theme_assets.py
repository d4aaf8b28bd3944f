"""The theme's own stylesheets served minified (llmcourse.theme_assets)."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from llmcourse import theme_assets


@event_priority(-115)  # after mkdocs-static-i18n (-100), which re-creates files as plain File
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Each of the theme's stylesheets in theme_assets.STYLESHEETS as its minified text."""
    for file in list(files):
        if fnmatch.fnmatchcase(file.src_uri, theme_assets.STYLESHEETS) and file.abs_src_path:
            css = Path(file.abs_src_path).read_text(encoding="utf-8")
            files.remove(file)
            files.append(
                File.generated(
                    config,
                    file.src_uri,
                    content=theme_assets.minified_css(css),
                    inclusion=file.inclusion,
                )
            )
    return files
