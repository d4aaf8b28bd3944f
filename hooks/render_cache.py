"""Each page's Markdown rendered once per content, across languages and builds
(llmcourse.render_cache); everything after rendering runs on every build."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from llmcourse import convert, render_cache

#: The toolkit's version for this build (llmcourse.convert.toolkit_version), taken before it.
VERSION: list[str] = []


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Take the toolkit's version, which every rendering's key holds, once per build."""
    VERSION[:] = [convert.toolkit_version()]


@event_priority(-200)  # last: the Markdown as every other hook left it is part of the key
def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Render the page from the cache when nothing its rendering reads has changed."""
    if page.file.src_uri.endswith(".md"):
        render_cache.wrap(page, config, files, VERSION[0] if VERSION else convert.toolkit_version())
    return markdown
