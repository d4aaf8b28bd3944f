"""A page's Markdown rendered once per content, across languages and builds.

Python-Markdown's rendering is a third of a build, and nearly every build renders the same
pages again: an unchanged course, the pages a contributor did not touch. :func:`render` stands
in for MkDocs' ``Page.render``: it keeps what rendering gives a page (the HTML, the table of
contents, the title, the anchors it holds and the ones it links to, and every log record
rendering gave, which a hit gives again, so that ``--strict`` and ``course.py check`` count the
same warnings) by a key of all rendering reads:

* the page's Markdown, as the hooks left it, its source path and URL;
* every file of the build, with its URL (links are rewritten and checked against them);
* the configuration rendering reads: the Markdown extensions and their settings, link
  validation, directory URLs;
* the least level of the log records rendering keeps (a quiet build, ``-q``, or ``course.py
  check``'s, hears no INFO or WARNING records: what it renders must not stand for a build
  that shows them);
* this package's code and data (the heading slug's glossary among them) and the versions of
  Python-Markdown, pymdown-extensions and Pygments (:func:`llmcourse.convert.toolkit_version`),
  and of what rewrites and checks the links (:data:`LIBRARIES`: MkDocs, and
  mkdocs-static-i18n, whose files choose a link's page in the language).

What comes after rendering (the sanitizer, every hook's ``on_page_content``) runs on every
build. A verbose build (``-v``) renders every page: MkDocs records the links to anchors only
when it is not.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, get_toc

from llmcourse import CACHE, disk_cache

#: Renderings by key (see the module's docstring).
RENDERED = disk_cache.Store(CACHE / "rendered", keep=1024)
#: MkDocs' logger of page rendering, whose level decides whether links to anchors are kept.
PAGES_LOG = logging.getLogger("mkdocs.structure.pages")
#: The libraries of rendering that :func:`llmcourse.convert.toolkit_version` does not name.
LIBRARIES = ("mkdocs", "mkdocs-static-i18n")
#: What a record of rendering keeps: the records of INFO and above (the console shows no less).
LEVEL = logging.INFO


def render(page: Page, config: MkDocsConfig, files: Files, version: str) -> None:
    """``page.render(config, files)``, from the cache when nothing it reads has changed."""
    plain = type(page).render
    if PAGES_LOG.getEffectiveLevel() <= logging.DEBUG or page.markdown is None:
        plain(page, config, files)
        return

    rendered = []

    def make() -> dict:
        rendered.append(True)
        with _records() as records:
            plain(page, config, files)
        return {
            "content": page.content,
            "toc": [_token(anchor) for anchor in page.toc],
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": {
                target.src_uri: links for target, links in (page.links_to_anchors or {}).items()
            },
            "records": records,
        }

    made = RENDERED.get(_key(page, config, files, version), make)
    if rendered:  # just now, and its records given
        return
    assert isinstance(made, dict)
    page.content = made["content"]
    page.toc = get_toc(made["toc"])
    page._title_from_render = made["title"]
    page.present_anchor_ids = set(made["anchors"])
    page.links_to_anchors = {
        files.get_file_from_path(src): links for src, links in made["links"].items()
    }
    for name, level, message in made["records"]:
        logging.getLogger(name).log(level, "%s", message)


def wrap(page: Page, config: MkDocsConfig, files: Files, version: str) -> None:
    """Make MkDocs' call of ``page.render`` go through :func:`render`."""

    def cached(config: MkDocsConfig, files: Files) -> None:
        render(page, config, files, version)

    page.render = cached  # type: ignore[method-assign]


# --------------------------------------------------------------------------- helpers


def _key(page: Page, config: MkDocsConfig, files: Files, version: str) -> str:
    digest = hashlib.sha256()
    for part in (
        "render-1",
        version,
        disk_cache.versions(*LIBRARIES),
        str(max(LEVEL, PAGES_LOG.getEffectiveLevel())),  # what the records kept can hold
        page.file.src_uri,
        page.file.dest_uri,
        page.file.url,
        _files_digest(files),
        _stable(
            [
                config.markdown_extensions,
                config.mdx_configs,
                config.validation,
                config.use_directory_urls,
            ]
        ),
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(page.markdown.encode("utf-8", "surrogatepass"))  # type: ignore[union-attr]
    return digest.hexdigest()


def _files_digest(files: Files) -> str:
    """Every file of the build with its URL, once per build's file collection."""
    cached = _FILES.get(id(files))
    if cached is not None and cached[0] is files:
        return cached[1]
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.src_uri):
        digest.update(
            f"{file.src_uri}\0{file.dest_uri}\0{file.url}\0{file.inclusion.name}\n".encode()
        )
    _FILES.clear()
    _FILES[id(files)] = (files, digest.hexdigest())
    return _FILES[id(files)][1]


#: The digest of the current build's files (one entry: builds come one after another).
_FILES: dict[int, tuple[Files, str]] = {}


def _stable(value: object) -> str:
    """A text of configuration values that is the same in every process (functions by their
    qualified name, not their address)."""

    def default(obj: object) -> object:
        if callable(obj):
            return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}"
        if isinstance(obj, set | frozenset):
            return sorted(map(str, obj))
        if hasattr(obj, "items"):
            return dict(obj.items())  # type: ignore[union-attr]
        return repr(obj)

    return json.dumps(value, default=default, sort_keys=True, ensure_ascii=False)


def _token(anchor: AnchorLink) -> dict:
    """An entry of the table of contents as Python-Markdown's toc token, for ``get_toc``."""
    return {
        "name": anchor.title,
        "id": anchor.id,
        "level": anchor.level,
        "children": [_token(child) for child in anchor.children],
    }


@contextmanager
def _records() -> Iterator[list[tuple[str, int, str]]]:
    """The log records of INFO and above given meanwhile, as (logger, level, message)."""
    records: list[tuple[str, int, str]] = []
    handler = _Keep(records)
    loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


class _Keep(logging.Handler):
    def __init__(self, records: list[tuple[str, int, str]]) -> None:
        super().__init__(LEVEL)
        self.records = records
        #: the record last kept, held: by its id alone, a later record that got the memory
        #: of a handled (and freed) one was taken for it and left out
        self.last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is not self.last:  # not the root logger's turn of the one "mkdocs" had
            self.last = record
            self.records.append((record.name, record.levelno, record.getMessage()))
