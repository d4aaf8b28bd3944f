"""Width and height on the page's own images, read from the files (`llmcourse.image_size`).

Without them the browser gives an image no room until it loads and the page jumps under the
reader (layout shift): authors write plain `![alt](img/x.svg)` and get sized images.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from llmcourse import image_size


@event_priority(90)  # after sanitize.py (100): adds attributes to markup already cleaned
def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Every `<img>` of a file of the site, or a `data:` image, gets its intrinsic size."""
    by_url = _static_files(files)
    return image_size.add_sizes(html, image_size.site_reader(page.url, by_url.get))


def _static_files(files: Files) -> dict[str, Path]:
    """The site's non-page files by URL, computed once per (language) build."""
    cached = _BY_FILES.get(id(files))
    if cached is None or cached[0] is not files:
        table = {
            f.url: Path(f.abs_src_path)
            for f in files
            if not f.is_documentation_page() and f.abs_src_path
        }
        _BY_FILES.clear()
        _BY_FILES[id(files)] = cached = (files, table)
    return cached[1]


#: The current build's Files and its table; one entry, replaced when a new build starts.
_BY_FILES: dict[int, tuple[Files, dict[str, Path]]] = {}
