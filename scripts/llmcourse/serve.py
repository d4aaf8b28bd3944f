"""`course.py serve`: the site as a contributor edits it, a saved page served within a second.

`mkdocs serve` rebuilds the whole site, every language, on every save (MkDocs 1.6 has no
partial rebuild). Here the first build is the same full build (mkdocs-static-i18n building
each language, every hook), and what it made of each language is kept: its files, navigation
and template environment. Saving a page then renders again only that page, in each language
that shows it (its own, the generated other-script page, a fallback), through MkDocs' own
page steps and every plugin and hook event, and writes it; the browsers reload once the
page's own language is written. The pages made from the whole course (the home page and
section overviews with their progress panels, the translation status page) follow, then the
search index.

Anything else is a full build, as `mkdocs serve` does it: a change to mkdocs.yml, locales/,
hooks/, the theme or the toolkit (whose modules are loaded afresh), a page added, removed or
renamed, a file in docs/ that is no page, a page whose front matter or title changed (the
navigation, status and notices depend on them), and any rebuild after one that failed.

One Ctrl-C (or SIGTERM) stops the server, whatever it is doing (`STOP`): Python raises
KeyboardInterrupt wherever the main thread is, and the builds run there, in code that may
swallow it (nh3 calls the sanitizer's attribute filter and reports an exception raised in it as
"Exception ignored", dropping the attribute), so the request is also recorded and honoured
before and after every page a build renders, before its post-build steps and after each build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import watchdog.events
from jinja2 import Environment
from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer, _serve_url, _timestamp
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation

from llmcourse.pages import DEFAULT, language_of, page_key

log = logging.getLogger("mkdocs.serve")

PAGE_SUFFIXES = (".md", ".ipynb")
#: Pages whose HTML is made from other pages (progress panels, roadmaps, the status table).
#: Rendered again after any page changes; the navigation's titles are covered by a full build.
SUMMARY_PAGES = ("index", "about/status")
INCLUSION = InclusionLevel.is_in_serve
#: Set by the first Ctrl-C or SIGTERM (`_interrupt`): the server is to stop.
STOP = threading.Event()


def _stop_point() -> None:
    """Stop here if asked to: a KeyboardInterrupt a build swallowed is raised again."""
    if STOP.is_set():
        raise KeyboardInterrupt


class _StopPoints(BasePlugin):
    """Every build, full or page by page, stops at its next page once asked to (`STOP`)."""

    @event_priority(1000)  # before any other handler
    def on_pre_page(self, page: object, **_: object) -> object:
        _stop_point()
        return page

    @event_priority(-1000)  # after every other handler, the sanitizer's included
    def on_post_page(self, output: str, **_: object) -> str:
        _stop_point()
        return output

    @event_priority(1000)  # before the search index (Pagefind, seconds on the course)
    def on_post_build(self, **_: object) -> None:
        _stop_point()


@dataclass
class Language:
    """What one language's build made, kept for rendering its pages again."""

    files: Files
    nav: Navigation
    env: Environment
    theme_dirs: list[str]
    #: src_uri -> the title the navigation gave the page (None: its own, from its text)
    titles: dict[str, str | None]


class _Recorder(BasePlugin):
    """Keeps each language build's files, navigation and environment (see Language)."""

    def __init__(self) -> None:
        self.languages: dict[str, Language] = {}
        self._nav: Navigation | None = None
        self._titles: dict[str, str | None] = {}

    @event_priority(-1000)  # after every other handler: the navigation the pages get
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav = nav
        # hooks set page titles later (escaped): a page read again starts from these
        self._titles = {
            f.src_uri: f.page.__dict__.get("title") for f in files if f.page is not None
        }
        return nav

    @event_priority(-1000)
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        lang = config.plugins["i18n"].current_language
        self.languages[lang] = Language(
            files, self._nav, env, list(config.theme.dirs), self._titles
        )
        return env


class Site:
    """The served site: one full build, then page by page."""

    def __init__(
        self, config_file: Path, site_dir: Path, serve_url: str, **overrides: object
    ) -> None:
        self.config_file = config_file
        self.site_dir = site_dir
        self.serve_url = serve_url
        self.overrides = overrides
        self.config: MkDocsConfig | None = None
        self.languages: dict[str, Language] = {}
        self.sources: frozenset[str] = frozenset()
        self.docs: Path | None = None
        self.started = False
        self.index_thread: threading.Thread | None = None

    # ------------------------------------------------------------------ full builds

    def load(self) -> MkDocsConfig:
        """The configuration, as `mkdocs serve` loads it for each build."""
        config = load_config(
            config_file=str(self.config_file), site_dir=str(self.site_dir), **self.overrides
        )
        config.site_url = self.serve_url
        return config

    def full(self, config: MkDocsConfig | None = None) -> None:
        """Build everything, keeping what each language's build made."""
        self._wait_for_index()
        self.languages, self.sources = {}, frozenset()
        config = config or self.load()
        self.docs = Path(config.docs_dir).resolve()
        if not self.started:  # as `mkdocs serve`: once, with the first configuration
            config.plugins.on_startup(command="serve", dirty=False)
            self.started = True
        recorder = _Recorder()
        config.plugins["llmcourse/serve"] = recorder
        config.plugins["llmcourse/serve-stop"] = _StopPoints()
        self.config = None
        mkdocs_build.build(config, serve_url=self.serve_url)
        self.config, self.languages = config, recorder.languages
        self.sources = self._sources()

    # ------------------------------------------------------------------ changes

    def update(self, changed: Iterable[str], reload: Callable[[], None] = lambda: None) -> str:
        """Bring the site up to date with the changed paths: "pages" or "full" (what it did),
        or "none" when no change is the site's (an editor's swap, backup or probe file).

        ``reload`` is called when the changed pages' own language is written, before the
        rest of the work.
        """
        changed = {p for p in (Path(p).resolve() for p in changed) if not self._ignored(p)}
        if not changed and self.config is not None:
            return "none"
        keys = self._changed_pages(changed)
        if not keys:
            if any(_is_toolkit(p) for p in changed):
                _forget_toolkit()
            self.full()
            return "full"
        try:
            if not self._render(keys, _language_of(changed), reload):
                self.full()
                return "full"
        except BaseException:
            self.config = None  # whatever was half done, the next change builds everything
            raise
        return "pages"

    def _changed_pages(self, changed: set[Path]) -> set[str] | None:
        """Keys of the pages to render again; None when only a full build will do."""
        if self.config is None or self.docs is None or self._sources() != self.sources:
            return None
        keys = set()
        for path in changed:
            if not path.is_relative_to(self.docs) or not path.name.endswith(PAGE_SUFFIXES):
                return None
            keys.add(page_key(path.relative_to(self.docs).as_posix()))
        return keys

    def _ignored(self, path: Path) -> bool:
        """A path no build reads: hidden (MkDocs and the guard skip them: editors' swap and
        lock files), a backup (``page.md~``), or one that came and went while an editor saved
        (vim's ``4913``)."""
        if path.name.startswith(".") or path.name.endswith("~"):
            return True
        if self.docs is None or not path.is_relative_to(self.docs):
            return False
        rel = path.relative_to(self.docs)
        if any(part.startswith(".") for part in rel.parts):
            return True
        return not path.exists() and rel.as_posix() not in self.sources

    def _sources(self) -> frozenset[str]:
        """Every file under docs/ that a build reads (hidden ones are not)."""
        assert self.docs is not None
        found = set()
        for folder, dirs, names in os.walk(self.docs):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            rel = Path(os.path.relpath(folder, self.docs))
            found.update((rel / n).as_posix() for n in names if not n.startswith("."))
        return frozenset(found)

    def _render(self, keys: set[str], first: str | None, reload: Callable[[], None]) -> bool:
        """Render the pages again in every language, ``first`` first; False when a full build
        is needed."""
        assert self.config is not None
        config = self.config
        i18n = config.plugins["i18n"]
        first = first if first in self.languages else i18n.default_language
        order = [first] + [lang for lang in self.languages if lang != first]
        with _strict(config):
            for lang in order:
                config = self._enter(lang)
                if not self._pages(lang, config, keys):
                    return False
                if lang == first:
                    reload()
                summaries = {
                    key
                    for f in self.languages[lang].files.documentation_pages(inclusion=INCLUSION)
                    if _is_summary(key := page_key(f.src_uri)) and key not in keys
                }
                if not self._pages(lang, config, summaries):
                    return False
            i18n.current_language = first
        self._index()
        return True

    def _enter(self, lang: str) -> MkDocsConfig:
        """The configuration as the language's build had it (mkdocs-static-i18n and hooks)."""
        config = self.config
        config.plugins["i18n"].current_language = lang
        config = config.plugins.on_config(config)
        config.theme.dirs[:] = self.languages[lang].theme_dirs
        return config

    def _pages(self, lang: str, config: MkDocsConfig, keys: set[str]) -> bool:
        """Read and write the language's pages for ``keys``; False if a title or meta changed."""
        state = self.languages[lang]
        pages = [
            f
            for f in state.files.documentation_pages(inclusion=INCLUSION)
            if page_key(f.src_uri) in keys
        ]
        _refresh_variants(config, state.nav, pages)
        for file in pages:
            page = file.page
            before = (page._title_from_render, dict(page.meta))
            page.__dict__.pop("title", None)
            if state.titles.get(file.src_uri) is not None:
                page.title = state.titles[file.src_uri]
            mkdocs_build._populate_page(page, config, state.files)
            if (page._title_from_render, dict(page.meta)) != before:
                log.info("%s: title or front matter changed: building everything", file.src_uri)
                return False
        doc_files = state.files.documentation_pages(inclusion=INCLUSION)
        for file in pages:
            mkdocs_build._build_page(
                file.page,
                config,
                doc_files,
                state.nav,
                state.env,
                excluded=file.inclusion.is_excluded(),
            )
        return True

    def _index(self) -> None:
        """Search data, in the background: the changed page is served meanwhile."""
        site = Path(self.config.site_dir)
        self._wait_for_index()
        self.index_thread = threading.Thread(target=_index_site, args=(site,), daemon=True)
        self.index_thread.start()

    def _wait_for_index(self) -> None:
        if self.index_thread is not None:
            self.index_thread.join()
            self.index_thread = None


def _index_site(site: Path) -> None:
    """Pagefind on the served site; stopped by the Ctrl-C that stops the server (it is in the
    terminal's process group), which is no failure to report."""
    from llmcourse import search

    try:
        search.index_site(site)
    except RuntimeError:
        if not STOP.wait(1.0):  # the server's own handler runs in its main thread
            raise


def _language_of(changed: set[Path]) -> str | None:
    """The language of a changed page's file name (x.en.md: en); None for the default one."""
    for path in sorted(changed):
        if path.name.endswith(PAGE_SUFFIXES) and (lang := language_of(path.name)) != DEFAULT:
            return lang
    return None


def _is_summary(key: str) -> bool:
    return key in SUMMARY_PAGES or key.endswith("/index")


def _refresh_variants(config: MkDocsConfig, nav: Navigation, pages: list[File]) -> None:
    """The pages' text as hooks/chinese_variants.py gives it (converted from their source)."""
    for name, hook in config.plugins.items():
        if name.endswith("chinese_variants.py"):
            hook.on_nav(nav, config=config, files=Files(pages))


def _is_toolkit(path: Path) -> bool:
    from llmcourse import ROOT

    return path.is_relative_to(ROOT / "scripts" / "llmcourse")


def _forget_toolkit() -> None:
    """Load scripts/llmcourse afresh in the next build (its hooks import it again)."""
    for name in list(sys.modules):
        if name == "llmcourse" or name.startswith("llmcourse."):
            if name != __name__:
                del sys.modules[name]


class _strict:
    """Warnings while rendering pages fail the rebuild when the configuration is strict."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.counter = utils.CountHandler()
        self.counter.setLevel(logging.WARNING)

    def __enter__(self) -> None:
        if self.config.strict:
            logging.getLogger("mkdocs").addHandler(self.counter)

    def __exit__(self, kind: object, *_: object) -> None:
        logging.getLogger("mkdocs").removeHandler(self.counter)
        if kind is None and (counts := self.counter.get_counts()):
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")


# ---------------------------------------------------------------------------------------------
# The server


class Server(LiveReloadServer):
    """MkDocs' live-reload server, told which files changed."""

    def __init__(self, site: Site, *, host: str, port: int, mount_path: str) -> None:
        self.site = site
        self.changed: set[str] = set()
        super().__init__(
            builder=self.rebuild,
            host=host,
            port=port,
            root=str(site.site_dir),
            mount_path=mount_path,
            polling_interval=0.1,
        )
        self.build_delay = 0.05

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def callback(event: watchdog.events.FileSystemEvent) -> None:
            if event.is_directory:
                return
            with self._rebuild_cond:
                self.changed.add(os.fsdecode(event.src_path))
                if getattr(event, "dest_path", ""):
                    self.changed.add(os.fsdecode(event.dest_path))
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = callback  # type: ignore[method-assign]
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def rebuild(self) -> None:
        with self._rebuild_cond:
            changed, self.changed = self.changed, set()
        self.reloaded = False
        try:
            did = self.site.update(changed, reload=self.reload_now)
        finally:  # a build that swallowed the Ctrl-C (and failed for it or not) ends the server
            _stop_point()
        if did == "none":  # nothing to show: the browsers keep their page
            with self._epoch_cond:  # and the requests held while it was built are answered
                self._wanted_epoch = self._visible_epoch
                self._epoch_cond.notify_all()
            return
        log.info("Rebuilt %s", "the changed pages" if did == "pages" else "everything")
        if self.reloaded:  # the other languages' pages are written now: one more version
            self.reload_now()

    def reload_now(self) -> None:
        """Serve what is written so far and reload the browsers, while the rest is built."""
        with self._epoch_cond:
            if self.reloaded:
                self._wanted_epoch = max(_timestamp(), self._visible_epoch + 1)
            self._visible_epoch = self._wanted_epoch
            self._epoch_cond.notify_all()
        self.reloaded = True


def serve(config_file: Path, addr: str) -> int:
    """Serve the site on ``addr`` (host:port) until interrupted."""
    import shutil
    import tempfile
    from urllib.parse import urlsplit

    host, _, port = addr.rpartition(":")
    site_dir = Path(tempfile.mkdtemp(prefix="course-serve-"))
    site = None
    try:
        first = load_config(config_file=str(config_file), site_dir=str(site_dir))
        mount_path = urlsplit(first.site_url or "/").path
        url = _serve_url(host, int(port), mount_path)
        first.site_url = url
        site = Site(config_file, site_dir, url)
        try:
            site.full(first)
        finally:
            _stop_point()
        server = Server(site, host=host, port=int(port), mount_path=mount_path)
        server.error_handler = lambda code: _error_page(site_dir, code)
        config = site.config
        server.watch(config.docs_dir)
        server.watch(str(config_file))
        server = config.plugins.on_serve(server, config=config, builder=server.builder)
        for item in config.watch:
            server.watch(item)
        for folder in config.theme.dirs:
            if not Path(folder).resolve().is_relative_to(Path(sys.prefix).resolve()):
                server.watch(folder)  # the project's own theme code (overrides/)
        try:
            server.serve()
        finally:
            server.shutdown()
    except KeyboardInterrupt:  # during the first build too
        log.info("Shutting down...")
    finally:
        with _signals_ignored():  # a second Ctrl-C must not cut the clean-up short
            if site is not None:  # a Pagefind still running would write the folder again
                site._wait_for_index()
            shutil.rmtree(site_dir, ignore_errors=True)
    return 0


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Ctrl-C and SIGTERM ignored inside the block (in the main thread; handlers restored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None


def main(argv: list[str] | None = None) -> int:
    """python -m llmcourse.serve [-f mkdocs.yml] [-a host:port]"""
    import argparse

    from llmcourse import ROOT

    parser = argparse.ArgumentParser(prog="course.py serve", description=__doc__.split("\n")[0])
    parser.add_argument("-f", "--config-file", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("-a", "--addr", default="127.0.0.1:8000")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)-8s-  %(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: the temporary site goes
    try:
        return serve(args.config_file.resolve(), args.addr)
    except Abort as exc:
        log.error(str(exc))
        return 1


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM: stop now, and at the next stop point if a build swallows this."""
    if not STOP.is_set():  # once: Event.set takes a lock a second signal could land inside
        STOP.set()
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
