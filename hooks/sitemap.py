"""Every built page in the sitemap, notebooks included.

mkdocs-static-i18n's sitemap.xml lists the documentation pages it saw in its own `on_files`
(priority -100), before hooks/notebooks.py (-110) makes the language's notebooks pages again;
so no notebook was listed, and Material's version selector, which keeps the reader's page
only when the other version's sitemap lists it, sent notebook readers to the home page.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files


@event_priority(-120)  # after hooks/notebooks.py (-110)
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """The language's pages for the sitemap, as the build will render them."""
    i18n = config.plugins["i18n"]
    i18n.i18n_files_per_language[i18n.current_language] = files.documentation_pages()
    return files
