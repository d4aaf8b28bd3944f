"""Notebooks rendered by mkdocs-jupyter in every language of the i18n build.

Each notebook page gets a download link to the .ipynb mkdocs-jupyter copies beside it
(`include_source`) and an "Open in Colab" link to the notebook's source file in the GitHub
repository set in mkdocs.yml `extra.notebooks`. The template's own CSS and copy-button script
are served as files (llmcourse.notebook_html); of its CSS (JupyterLab's whole, 595 KB) only the
rules that can match the notebook pages are kept, in one stylesheet for every notebook page
with the site's own rules for cells after them (llmcourse/notebook.css), written once all of
the build's notebook pages are rendered (`on_env`) and linked from the pages as they are
written (`on_page_context`). The scripts it adds that would load Mermaid or
MathJax from a CDN are dropped: the site loads nothing from other hosts. The cells go through
the sanitizer like any page. Each notebook is rendered once per content, not once per language
and build (llmcourse.notebook_html.rendered; mkdocs-jupyter's own cache is off: it evicts
one language's renderings in the next language's build). Headings get ids and table-of-contents
links from the site's toc slugify, as Markdown pages do (llmcourse.notebook_html.use_slug).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, get_toc
from mkdocs.utils import get_relative_url
from mkdocs_jupyter.plugin import NotebookFile

from llmcourse import (
    convert,
    guard,
    locales,
    notebook_html,
    partials,
    source_link,
    write_if_changed,
)
from llmcourse.pages import language_of, source_file

#: src_uri of a notebook page -> the notebook rendered without cells: the template's markup
#: alone, which tells the template's styles and scripts from the cells (notebook_html.split)
TEMPLATES: dict[str, str] = {}
#: src_uri of a notebook page -> the template's scripts lifted from it (this language build)
LIFTED: dict[str, list[notebook_html.Asset]] = {}
#: src_uri of a notebook page -> the template's whole stylesheet (this language build)
FULL_CSS: dict[str, str] = {}
#: Tokens (element names, classes, ids) of every notebook page of this build, all languages so
#: far: a language whose pages need nothing new shares the stylesheet of the languages before.
USED: set[str] = set()
#: src_uri of a notebook page -> its trimmed stylesheet (this language build)
STYLESHEETS: dict[str, notebook_html.Asset] = {}
#: What the heading ids of the renderings depend on (`_use_site_slug`), for the render cache
SLUG = ""
#: The site's toc slugify, given to the renderer when a notebook is rendered (`_render`)
SLUGIFY = None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Note the site's slugify (notebook headings get ids as Markdown pages do, when one is
    rendered) and what the render cache key takes from it, once per language build."""
    global SLUG
    SLUG = _use_site_slug(config)
    return config


@event_priority(-110)  # after mkdocs-static-i18n (-100), which re-creates files as plain File
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Wrap the language's .ipynb files again so mkdocs-jupyter renders them as pages."""
    wrapped = []
    for file in files:
        if file.src_uri.endswith(".ipynb") and not isinstance(file, NotebookFile):
            file = _as_notebook(file, config)
        wrapped.append(file)
    return type(files)(files.plugin, wrapped) if hasattr(files, "plugin") else Files(wrapped)


@event_priority(-10)  # after mkdocs-jupyter (0), which gives the page its notebook renderer
def on_pre_page(page: Page, *, config: MkDocsConfig, files: Files) -> Page:
    """Render the notebook only when no language or earlier build rendered the same bytes."""
    if not page.file.src_uri.endswith(".ipynb"):
        return page
    render = page.render
    options = config.plugins["mkdocs-jupyter"].config

    def render_once(config: MkDocsConfig, files: Files) -> None:
        try:
            render_notebook(config, files)
        except PluginError:  # ours and theme_patch's, already naming what failed
            raise
        except Exception as exc:  # noqa: BLE001 - nbconvert fails on a notebook's content
            path = Path(page.file.abs_src_path)
            root = Path(config.config_file_path or config.docs_dir).parent
            raise PluginError(
                f"{guard.display(path, root)}:1:1: mkdocs-jupyter could not render the "
                f"notebook ({type(exc).__name__}: {exc})"
            ) from exc

    def render_notebook(config: MkDocsConfig, files: Files) -> None:
        source = Path(page.file.abs_src_path).read_bytes()
        lang = language_of(page.file.src_uri)  # the script its headings are slugged in
        data = notebook_html.rendered(
            notebook_html.render_key(source, options, f"{SLUG}:{lang}"),
            lambda: _render(page, render, config, files, source, lang),
        )
        empty = notebook_html.without_cells(source)
        TEMPLATES[page.file.src_uri] = notebook_html.rendered(
            notebook_html.render_key(empty, options, "without cells"),
            lambda: {"content": _render_without_cells(page, render, config, files, empty)},
        )["content"]
        page.content = data["content"]
        page.toc = get_toc(data["toc"])
        if data["title"] is not None:
            page.title = data["title"]

    page.render = render_once
    return page


@event_priority(110)  # before hooks/sanitize.py (100): the template's assets are not the page's
def _lift_template(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Keep only the cells in the page; serve the template's CSS and scripts as files."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    cells, assets = notebook_html.split(html, TEMPLATES[page.file.src_uri])
    for asset in assets:
        if asset.kind == "css":
            FULL_CSS[page.file.src_uri] = asset.text
        else:
            write_if_changed(Path(config.site_dir) / asset.name, asset.text)
    LIFTED[page.file.src_uri] = [asset for asset in assets if asset.kind != "css"]
    return cells


def _add_links(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The download and Colab links, and the template's assets, after sanitizing."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    source = Path(page.file.abs_src_path).read_bytes()
    html = notebook_html.copy_targets(
        notebook_html.focusable_code(html, notebook_html.has_code(source))
    )
    links = _links(page, config)
    match = H1_END.search(html)
    at = match.end() if match else 0
    lifted = LIFTED.get(page.file.src_uri, [])
    scripts = [get_relative_url(asset.name, page.url) for asset in lifted]
    assets = partials.render(config.theme, ASSETS_PARTIAL, stylesheet=None, scripts=scripts)
    return assets + html[:at] + links + html[at:]


on_page_content = CombinedEvent(_lift_template, _add_links)


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    """Every notebook page of the language is rendered: write the stylesheet they need."""
    notebooks = [
        file.page
        for file in files.documentation_pages()
        if file.src_uri.endswith(".ipynb") and file.page is not None and file.page.content
    ]
    for page in notebooks:
        USED.update(notebook_html.used_tokens(page.content))
    trimmed: dict[str, notebook_html.Asset] = {}  # one per template stylesheet: one in practice
    for page in notebooks:
        full = FULL_CSS.get(page.file.src_uri)
        if full is None:
            continue
        if full not in trimmed:
            trimmed[full] = notebook_html.Asset("css", notebook_html.stylesheet(full, USED))
            asset = trimmed[full]
            write_if_changed(Path(config.site_dir) / asset.name, asset.text)
        STYLESHEETS[page.file.src_uri] = trimmed[full]
    return env


def on_page_context(context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    """Link the notebook page to its stylesheet (only notebook pages load it)."""
    asset = STYLESHEETS.get(page.file.src_uri)
    if asset is not None and page.content is not None:
        href = get_relative_url(asset.name, page.url)
        link = partials.render(config.theme, ASSETS_PARTIAL, stylesheet=href, scripts=[])
        page.content = link + page.content
    return context


def _use_site_slug(config: MkDocsConfig) -> str:
    """Headings of notebooks slugged as Markdown pages are (llmcourse.notebook_html.use_slug,
    applied by `_render` when a notebook is rendered); what the slug depends on, for the render
    cache: the function, and the toolkit and glossary it converts headings with (a digest of
    their files, not the OpenCC chain itself, which a build from the cache never needs)."""
    global SLUGIFY
    SLUGIFY = slugify = config.mdx_configs.get("toc", {}).get("slugify")
    if slugify is None:
        return ""
    name = f"{slugify.__module__}.{slugify.__qualname__}"
    return f"{name}:{convert.toolkit_version()}:{notebook_html.SLUG_PATCH}"


def _render(
    page: Page, render, config: MkDocsConfig, files: Files, source: bytes, lang: str
) -> dict:
    """mkdocs-jupyter's rendering of the page, as data: content, toc tokens, title it sets."""
    if SLUGIFY is not None:  # here, not in on_config: it imports the renderer (nbconvert)
        notebook_html.use_slug(SLUGIFY)
    before = page.__dict__.get("title")
    with notebook_html.slug_context(source, lang, page.file.src_uri):
        render(config, files)
    after = page.__dict__.get("title")
    return {
        "content": page.content,
        "toc": _tokens(page.toc),
        "title": after if after is not before else None,
    }


def _render_without_cells(
    page: Page, render, config: MkDocsConfig, files: Files, empty: bytes
) -> str:
    """mkdocs-jupyter's rendering of the notebook with no cell (``empty``), its options the
    page's: the page keeps its own content, table of contents, title and source path."""
    kept = page.file.abs_src_path, page.content, page.toc, page.__dict__.get("title")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "without-cells.ipynb"
        path.write_bytes(empty)
        page.file.abs_src_path = str(path)
        try:
            render(config, files)
            return page.content
        finally:
            page.file.abs_src_path, page.content, page.toc, title = kept
            if title is None:
                page.__dict__.pop("title", None)
            else:
                page.title = title


def _tokens(links: list[AnchorLink]) -> list[dict]:
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _tokens(a.children)}
        for a in links
    ]


def _as_notebook(file: File, config: MkDocsConfig) -> NotebookFile:
    """A NotebookFile that keeps the destination and URL i18n gave the file."""
    notebook = NotebookFile(file, **config)
    notebook.dest_path = file.dest_path
    notebook.abs_dest_path = file.abs_dest_path
    notebook.url = file.url
    return notebook


def _links(page: Page, config: MkDocsConfig) -> str:
    """The download link (the copy beside the page) and, once the repository is known, the
    Colab link."""
    texts = locales.load(config.plugins["i18n"].current_language)["reader"]["notebook"]
    # Local builds keep the OWNER/REPO placeholder: no link to a repository nobody named.
    repo = source_link.repository(config.extra)
    source = _repository_path(page, config)
    return partials.render(
        config.theme,
        LINKS_PARTIAL,
        # mkdocs-jupyter copies the file it rendered under its own name next to index.html.
        file=os.path.basename(str(page.file.abs_src_path)),
        colab=COLAB.format(repo=repo[0], branch=repo[1], path=source) if repo and source else "",
        texts=texts,
    )


def _repository_path(page: Page, config: MkDocsConfig) -> str | None:
    """The notebook's file in the repository; a generated zh-CN/zh-TW one is its source's."""
    docs = Path(config.docs_dir)
    root = Path(config.config_file_path).parent
    found = source_file(docs, page.file.src_uri)
    return None if found is None else source_link.repository_path(found, docs, root)


# ---------------------------------------------------------------------------------------------
# Data

COLAB = "https://colab.research.google.com/github/{repo}/blob/{branch}/{path}"
LINKS_PARTIAL = "partials/notebook-links.html"
ASSETS_PARTIAL = "partials/notebook-assets.html"
H1_END = re.compile(r"</h1>")
