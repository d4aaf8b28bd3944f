"""The language builds of one site build, and running them side by side.

mkdocs-static-i18n builds the site once per language: the first (default) language's build
runs the others from its ``on_post_build``, one after another, each a whole MkDocs build with
every event again, on the same configuration. Work that holds for the whole site is done once,
in the first build, and reused by the builds inside it (:func:`nested`).

Under ``mkdocs build`` the other languages are built in processes of their own
(:func:`start`), forked when the first build has read the configuration and cleaned the site
folder, so that all languages are built at once: each writes only its own folder
(``zh-CN/``, ``en/``), and everything the first build worked out before (the docs' status, the
compiled templates, the theme's files) is theirs without doing it again. mkdocs-static-i18n
still runs its loop: for a language built in a process of its own, its call to MkDocs' build
waits for that process instead (:func:`join_or_build`), gives its log records to the
parent's handlers (so ``--strict`` counts them and a warning both builds gave is shown once,
as :mod:`llmcourse.sanitize`'s reports are in one process) and raises its error. A language's
process ends with the first build, however that ends (:func:`_end_with`). The output is
the same as one build after another (tested); ``mkdocs serve``, ``course.py check`` and other
builds in a process that did not start with ``mkdocs build`` build one language after
another, as do systems other than Linux and a process with a thread running.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import logging.handlers
import os
import pickle
import signal
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import IO, NoReturn

import mkdocs.commands.build
from mkdocs import exceptions, utils
from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("mkdocs.llmcourse.language_builds")

#: The commands whose builds run their languages side by side (set by :func:`enable`).
PARALLEL_COMMANDS = ("build", "gh-deploy")


def nested(config: MkDocsConfig) -> bool:
    """Whether this is one of mkdocs-static-i18n's language builds inside the first one."""
    i18n = config.plugins.get("i18n")
    return i18n is not None and bool(getattr(i18n, "building", False))


@dataclass
class _Child:
    """A language built in a process of its own: its pid and the file its records go to."""

    lang: str
    pid: int
    report: IO[bytes]


@dataclass
class _State:
    parallel: bool = False
    children: dict[str, _Child] = field(default_factory=dict)
    #: the first build's theme environment, files and nav, for the sitemap (see :func:`finish`)
    first: dict[str, object] = field(default_factory=dict)


STATE = _State()


def enable(command: str) -> None:
    """Build languages side by side in this process's builds if ``command`` is a build.

    Only on Linux, where forking is Python's own default way to start processes (macOS's
    system libraries do not survive a fork in every case, Windows has none)."""
    STATE.parallel = command in PARALLEL_COMMANDS and sys.platform.startswith("linux")


def start(config: MkDocsConfig) -> None:
    """Fork a process for each language the first build would build after its own.

    Called in the first build once the site folder is clean; nothing when the builds run one
    after another (see the module's docstring) or when mkdocs-static-i18n's loop no longer
    calls MkDocs' build as this module expects.
    """
    i18n = config.plugins.get("i18n")
    if not STATE.parallel or i18n is None or nested(config) or not _patch(i18n):
        return
    if threading.active_count() > 1:  # a fork copies only this thread: its locks may be held
        log.debug("A thread is running: the languages are built one by one")
        return
    others = [lang for lang in i18n.build_languages if lang != i18n.current_language]
    log.debug("Building %s in processes of their own", ", ".join(others))
    _shown().clear()  # from now on, remember the warnings this build shows here
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or a child would write what the parent had buffered once more
    parent = os.getpid()
    for lang in others:
        report = tempfile.TemporaryFile(prefix=f"llmcourse-build-{lang}-")
        pid = os.fork()
        if pid == 0:
            _end_with(parent)
            _child(config, i18n, lang, report)
        STATE.children[lang] = _Child(lang, pid, report)


def remember(config: MkDocsConfig, **things: object) -> None:
    """Keep the first build's ``env``, ``files`` and ``nav``, with which :func:`finish`
    writes the sitemap."""
    if STATE.children and not nested(config):
        STATE.first.update(things)


def join_or_build(config: MkDocsConfig, *, dirty: bool = False, **kwargs: object) -> None:
    """mkdocs-static-i18n's call to build its current language: wait for that language's
    process when one builds it, else build it here."""
    lang = config.plugins["i18n"].current_language
    child = STATE.children.pop(lang, None)
    if child is None:
        _BUILD(config, dirty=dirty, **kwargs)
        return
    _, status = os.waitpid(child.pid, 0)
    outcome = _replay(child)
    if outcome is None:
        raise exceptions.Abort(f"The {lang} build stopped without a word ({_exit_text(status)}).")
    if outcome[0] == "failed":
        raise _rebuilt(outcome[1])
    i18n = config.plugins["i18n"]
    i18n.i18n_files_per_language[lang] = [_stand_in(entry) for entry in outcome[1]]


def finish(config: MkDocsConfig) -> None:
    """After the languages' processes: write the site's sitemap again, with every language.

    Each language's build writes the root ``sitemap.xml`` with the languages it knows;
    one after another, the last one knows them all. Side by side, none does: the first
    build writes it once more, with each process's pages (:func:`_sitemap_entries`).
    """
    if not STATE.first or nested(config):
        return
    first, STATE.first = STATE.first, {}
    _write_theme_template("sitemap.xml", first["env"], first["files"], config, first["nav"])


def abandon() -> None:
    """Stop the language processes still running (the first build failed)."""
    for child in STATE.children.values():
        try:
            os.kill(child.pid, signal.SIGTERM)
            os.waitpid(child.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        child.report.close()
    STATE.children.clear()
    STATE.first.clear()  # a later build in this process writes no sitemap of this one


# --------------------------------------------------------------------------- helpers

#: MkDocs' build, as mkdocs-static-i18n's loop calls it.
_BUILD = mkdocs.commands.build.build
#: How MkDocs writes a theme template such as sitemap.xml (and its .gz) into the site.
_write_theme_template = getattr(mkdocs.commands.build, "_build_theme_template", None)


def _patch(i18n: object) -> bool:
    """Make mkdocs-static-i18n's loop call :func:`join_or_build`; False when its module does
    not call MkDocs' build by that name (a new version: the builds then stay one by one)."""
    module = sys.modules.get(type(i18n).__module__)
    current = getattr(module, "build", None)
    if current is join_or_build:
        return True
    if current is not _BUILD or _write_theme_template is None:
        log.debug("mkdocs-static-i18n does not call mkdocs.commands.build.build: one by one")
        return False
    module.build = join_or_build  # type: ignore[union-attr]
    return True


#: Linux's prctl(2) option: the signal a process gets when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """End this process when ``parent`` (the first build) ends, however it ends: killed
    (SIGKILL, a CI's cancel, a timeout), a language process would go on writing its folder
    and holding the parent's output open (a caller reading it to the end waits for it)."""
    with contextlib.suppress(OSError, AttributeError):  # no prctl: as before
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before prctl
        os._exit(1)


def _child(config: MkDocsConfig, i18n: object, lang: str, report: IO[bytes]) -> NoReturn:
    """Build ``lang`` as mkdocs-static-i18n's loop would, then end the process."""
    code = 1
    STATE.parallel, STATE.children = False, {}  # its siblings are the parent's to wait for
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        handler = logging.handlers.QueueHandler(_Records(report))
        root = logging.getLogger("mkdocs")
        root.handlers = [handler]  # every record goes to the parent, which shows and counts it
        i18n.building = True  # type: ignore[attr-defined]
        i18n.current_language = lang  # type: ignore[attr-defined]
        utils.clean_directory = lambda path: path  # the first build cleaned the site folder
        _BUILD(config, dirty="--dirty" in sys.argv or "--dirtyreload" in sys.argv)
        pickle.dump(("built", _sitemap_entries(i18n.i18n_files_per_language[lang])), report)
        code = 0
    except BaseException as exc:  # noqa: BLE001 - everything goes to the parent
        pickle.dump(("failed", _portable(exc)), report)
    finally:
        report.flush()
        for stream in (sys.stdout, sys.stderr):  # what this process wrote (the parent's
            with contextlib.suppress(Exception):  # buffers were flushed before the fork)
                stream.flush()
        os._exit(code)  # no atexit handlers


class _Records:
    """QueueHandler's queue: each record pickled into the report file."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def put_nowait(self, record: logging.LogRecord) -> None:
        pickle.dump(("record", record), self.out)


def _replay(child: _Child) -> tuple[str, object] | None:
    """Hand a finished process's records to this process's loggers; its outcome."""
    child.report.seek(0)
    outcome = None
    shown = _shown()
    before = set(shown)  # a warning given twice in this process is shown twice, as it would be
    with child.report:
        while True:
            try:
                kind, value = pickle.load(child.report)
            except EOFError:
                return outcome
            if kind != "record":
                outcome = (kind, value)
                continue
            if value.levelno >= logging.WARNING and (value.levelno, value.getMessage()) in before:
                continue  # the same report of the same source, from another language's build
            logging.getLogger(value.name).handle(value)  # _Seen notes it in `shown`


def _shown() -> set[tuple[int, str]]:
    """Warnings and errors this process has shown, so that a child's copy is left out."""
    for handler in logging.getLogger("mkdocs").handlers:
        if isinstance(handler, _Seen):
            return handler.seen
    seen = _Seen()
    logging.getLogger("mkdocs").addHandler(seen)
    return seen.seen


class _Seen(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[tuple[int, str]] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.add((record.levelno, record.getMessage()))


def _sitemap_entries(files: list) -> list[dict]:
    """What mkdocs-static-i18n's sitemap.xml reads of a language's pages, as plain data."""
    return [
        {
            **_page_data(file),
            "alternates": {lang: _page_data(alt) for lang, alt in file.alternates.items()},
        }
        for file in files
    ]


def _page_data(file: object) -> dict:
    page = getattr(file, "page", None)
    return {
        "url": file.url,  # type: ignore[attr-defined]
        "page": None
        if page is None
        else {
            "is_link": page.is_link,
            "canonical_url": page.canonical_url,
            "abs_url": page.abs_url,
            "update_date": page.update_date,
        },
    }


def _stand_in(entry: dict) -> SimpleNamespace:
    """A page of another process, as the sitemap template reads it."""
    page = entry["page"]
    return SimpleNamespace(
        url=entry["url"],
        page=None if page is None else SimpleNamespace(**page),
        alternates={
            lang: _stand_in({**alt, "alternates": {}})
            for lang, alt in entry.get("alternates", {}).items()
        },
    )


def _portable(exc: BaseException) -> tuple[str, str]:
    """An exception as (MkDocs exception class name or "", message or traceback)."""
    if isinstance(exc, exceptions.MkDocsException):
        return type(exc).__name__, exc.format_message()
    return "", "".join(traceback.format_exception(exc))


def _rebuilt(portable: object) -> BaseException:
    name, text = portable  # type: ignore[misc]
    cls = getattr(exceptions, name, None) if name else None
    if isinstance(cls, type) and issubclass(cls, exceptions.MkDocsException):
        return cls(text)
    return RuntimeError(f"A language build failed in its own process:\n{text}")


def _exit_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


__all__ = ["STATE", "abandon", "enable", "finish", "join_or_build", "nested", "remember", "start"]
