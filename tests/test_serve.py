"""`course.py serve` (llmcourse.serve): a saved page is rendered again alone, and the site it
serves is the site a full build makes of the same files, byte for byte; anything the
partial path cannot vouch for is a full build. No timing here: `course.py bench` measures.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from mkdocs.exceptions import PluginError

from conftest import ROOT, site_config
from llmcourse import serve

pytestmark = pytest.mark.slow  # runs the development server and rebuilds

URL = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[serve.Site]:
    """The course served from a copy of docs/ (the tests edit it in turn)."""
    folder = tmp_path_factory.mktemp("serve")
    shutil.copytree(ROOT / "docs", folder / "docs")
    config = site_config(folder, nav=True)
    site = serve.Site(config, folder / "site", URL)
    site.full()
    yield site
    site._wait_for_index()  # no Pagefind of this module's left running in the next tests


def full_build(site: serve.Site, name: str) -> Path:
    """The same docs/ built from scratch by the same serve configuration."""
    fresh = serve.Site(site.config_file, site.site_dir.parent / name, URL)
    fresh.full()
    fresh._wait_for_index()
    return fresh.site_dir


def differences(served_dir: Path, full_dir: Path) -> list[str]:
    """Files that differ or exist on one side only; Pagefind's index aside (its JSON key
    order is not stable between runs, and serve writes it in the background)."""

    def files(root: Path) -> dict[str, Path]:
        return {
            p.relative_to(root).as_posix(): p
            for p in root.rglob("*")
            if p.is_file() and not p.relative_to(root).as_posix().startswith("pagefind/")
        }

    a, b = files(served_dir), files(full_dir)
    return sorted(
        name
        for name in a.keys() | b.keys()
        if name not in a or name not in b or a[name].read_bytes() != b[name].read_bytes()
    )


def append(path: Path, text: str) -> None:
    """What an editor does on save: the page with a paragraph (a notebook: a cell) more."""
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["cells"].append(
            {"cell_type": "markdown", "id": "served-edit", "metadata": {}, "source": [text]}
        )
        path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n{text}\n", encoding="utf-8")


# source file edited -> (text written, output page -> text it must show)
EDITS = {
    "fundamentals/neural-networks.md": (
        "服務中編輯的段落。",
        {
            "fundamentals/neural-networks/index.html": "服務中編輯的段落。",
            "zh-CN/fundamentals/neural-networks/index.html": "服务中编辑的段落。",
        },
    ),
    "engineer/deploying-llms.zh-CN.md": (
        "服务中编辑的段落。",
        {
            "zh-CN/engineer/deploying-llms/index.html": "服务中编辑的段落。",
            "engineer/deploying-llms/index.html": "服務中編輯的段落。",
        },
    ),
    "fundamentals/neural-networks.en.md": (
        "A paragraph edited while serving.",
        {"en/fundamentals/neural-networks/index.html": "A paragraph edited while serving."},
    ),
    "notebooks/decoding.ipynb": (
        "服務中編輯的筆記本。",
        {
            "notebooks/decoding/index.html": "服務中編輯的筆記本。",
            "zh-CN/notebooks/decoding/index.html": "服务中编辑的笔记本。",
        },
    ),
}


@pytest.mark.parametrize("source", list(EDITS))
def test_a_saved_page_is_rendered_alone_and_as_a_full_build_would(
    served: serve.Site, source: str
) -> None:
    text, shown = EDITS[source]
    path = served.docs / source
    append(path, text)
    reloads: list[set[str]] = []

    def reload() -> None:  # what the browsers would get at that moment
        reloads.append(
            {out for out, t in shown.items() if t in (served.site_dir / out).read_text("utf-8")}
        )

    assert served.update([str(path)], reload) == "pages"
    own = next(iter(shown))  # the edited file's own language is written before the reload
    assert len(reloads) == 1 and own in reloads[0]
    for out, t in shown.items():
        assert t in (served.site_dir / out).read_text(encoding="utf-8"), out
    served._wait_for_index()
    assert differences(served.site_dir, full_build(served, f"full-{path.stem}")) == []


def test_a_changed_title_rebuilds_every_page_navigation(served: serve.Site) -> None:
    path = served.docs / "fundamentals" / "neural-networks.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^# ", "# 新標題 ", text, count=1, flags=re.M), encoding="utf-8")
    assert served.update([str(path)]) == "full"
    # pages of its section (the navigation is pruned to the reader's section)
    for other in (
        "fundamentals/python-for-machine-learning/index.html",
        "zh-CN/fundamentals/python-for-machine-learning/index.html",
    ):
        nav = (served.site_dir / other).read_text(encoding="utf-8")
        assert ("新標題" if not other.startswith("zh-CN") else "新标题") in nav, other
    served._wait_for_index()
    assert differences(served.site_dir, full_build(served, "full-title")) == []


@pytest.mark.parametrize(
    "changed",
    ["mkdocs.yml", "docs/img/colab.svg", "docs/fundamentals/new-page.md", "locales/en.yml"],
)
def test_anything_but_an_edited_page_is_a_full_build(served: serve.Site, changed: str) -> None:
    folder = ROOT if changed.startswith("locales/") else served.config_file.parent
    path = folder / changed
    if changed.endswith("new-page.md"):
        path.write_text("# 新頁\n\n新的頁面。\n", encoding="utf-8")
    try:
        assert served.update([str(path)]) == "full"
    finally:
        if changed.endswith("new-page.md"):
            path.unlink()
            served.update([str(path)])


def test_editor_files_are_no_change(served: serve.Site) -> None:
    """Swap and backup files beside the page, and vim's probe file that comes and goes while
    it saves, change nothing the site is built from: no rebuild, no reload."""
    folder = served.docs / "fundamentals"
    swap, backup, probe = folder / ".neural-networks.md.swp", folder / "index.md~", folder / "4913"
    swap.write_bytes(b"b0VIM 9.0")
    backup.write_text("# old\n", encoding="utf-8")
    probe.write_bytes(b"")
    probe.unlink()
    try:
        assert served.update([str(swap), str(backup), str(probe)]) == "none"
    finally:
        swap.unlink()
        backup.unlink()
    assert served.update([str(swap), str(backup)]) == "none"


def test_after_a_failed_rebuild_the_next_one_is_full(served: serve.Site) -> None:
    path = served.docs / "notebooks" / "attention.ipynb"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "}", encoding="utf-8")  # no longer JSON: the guard refuses it
    with pytest.raises(PluginError, match=r"attention\.ipynb:\d+:\d+: notebook is not valid"):
        served.update([str(path)])
    path.write_text(good, encoding="utf-8")
    assert served.update([str(path)]) == "full"
    assert served.update([str(path)]) == "pages"


def test_a_request_held_by_a_rebuild_that_changes_nothing_is_answered(tmp_path: Path) -> None:
    """A tab that loads a page while a save is rebuilt waits for the rebuild (MkDocs holds the
    request); when the rebuild finds nothing to change (an editor's swap file), it is answered."""
    import wsgiref.util

    class Unchanged:
        site_dir = tmp_path

        def update(self, changed: object, reload: object) -> str:
            return "none"

    class Watched(threading.Condition):
        """MkDocs' epoch condition, telling when a request waits on it."""

        def __init__(self) -> None:
            super().__init__()
            self.waiting = threading.Event()

        def wait(self, timeout: float | None = None) -> bool:
            self.waiting.set()  # the lock is held until the wait below releases it
            return super().wait(timeout)

    (tmp_path / "index.html").write_text("<html><body>首頁</body></html>", encoding="utf-8")
    server = serve.Server(Unchanged(), host="127.0.0.1", port=0, mount_path="/")
    server._epoch_cond = condition = Watched()
    answers: list[str] = []

    def load() -> None:
        environ = {"PATH_INFO": "/"}
        wsgiref.util.setup_testing_defaults(environ)
        answers.append(b"".join(server.serve_request(environ, lambda *_: None)).decode())

    try:
        with server._rebuild_cond:  # as MkDocs' build loop starts a rebuild
            server._wanted_epoch = server._visible_epoch + 1
        tab = threading.Thread(target=load, daemon=True)
        tab.start()
        assert condition.waiting.wait(timeout=60)
        with condition:  # taken only once the request waits on it
            pass
        server.rebuild()
        tab.join(timeout=60)
        assert not tab.is_alive(), "the request is still held"
        assert "首頁" in answers[0]
    finally:
        server.shutdown()


# --------------------------------------------------------------------------- in a browser


def test_the_test_browser_runs_without_render_document(browser) -> None:
    """The session's Chromium turns RenderDocument off as well as every feature Playwright
    turns off: its last --disable-features, the one Chromium keeps, holds them all."""
    from conftest import DISABLE

    page = browser.new_page()
    try:
        page.goto("chrome://version")
        switches = page.locator("#command_line").inner_text().split()
    finally:
        page.close()
    lists = [set(arg.removeprefix(DISABLE).split(",")) for arg in switches if DISABLE in arg]
    playwrights, kept = lists[0], lists[-1]
    assert "RenderDocument" not in playwrights
    assert kept == playwrights | {"RenderDocument"}


def test_course_py_serve_reloads_both_scripts_in_a_real_browser(browser, tmp_path: Path) -> None:
    """`course.py serve`: saving a zh-TW source reloads, by itself and under the page's CSP, a
    tab on that page and a tab on its generated zh-CN page, each with the new text."""
    from conftest import dev_server, goto_when_served

    docs = tmp_path / "docs"
    docs.mkdir()
    page = docs / "index.md"
    page.write_text("# 首頁\n\n第一版。\n", encoding="utf-8")
    config = site_config(tmp_path)
    command = (sys.executable, str(ROOT / "scripts" / "course.py"), "serve", "-f", str(config))
    with dev_server(*command, cwd=tmp_path) as (url, server):
        context = browser.new_context()
        # every CSP violation of every load of each tab, logged to the console and collected
        # here as it happens: a tab may reload more than once for one save, so asking the page
        # afterwards could land in the middle of a reload. (A console event asks nothing of
        # the test, where an exposed function's call waits for its answer.)
        violations: list[str] = []

        def collect(message) -> None:
            if message.text.startswith("CSP violation: "):
                violations.append(message.text)

        context.on("console", collect)
        try:
            context.add_init_script(
                "document.addEventListener('securitypolicyviolation', e =>"
                " console.info('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
            )
            tabs = {}
            for path, first in (("", "第一版"), ("zh-CN/", "第一版")):
                tab = context.new_page()
                goto_when_served(tab, url + path, server, timeout=120)
                assert first in tab.locator("article").inner_text()
                tabs[path] = tab
            tabs[""].wait_for_timeout(1000)  # the live-reload scripts are polling now
            page.write_text("# 首頁\n\n第二版：臺灣。\n", encoding="utf-8")
            for path, new in (("", "第二版：臺灣"), ("zh-CN/", "第二版：台湾")):
                tabs[path].wait_for_function(
                    f"() => document.querySelector('article')?.innerText.includes('{new}')",
                    timeout=60_000,
                )
            assert violations == []
        finally:
            context.close()


# --------------------------------------------------------------------------- stopping


@pytest.mark.parametrize("when", ["during a rebuild that swallows it", "after a rebuild"])
def test_one_ctrl_c_stops_course_py_serve(tmp_path: Path, when: str) -> None:
    """One Ctrl-C stops `course.py serve` (status 0, nothing listening on its port, its site
    folder gone) while a reader's tab waits on the live-reload long poll and a saved page is
    rebuilt: also when the rebuild swallows the KeyboardInterrupt, as nh3 does when it comes in
    the sanitizer's attribute filter (tests/swallow_interrupt.py), and after the rebuild."""
    import swallow_interrupt

    from conftest import dev_server

    docs = tmp_path / "docs"
    docs.mkdir()
    page = docs / "index.md"
    page.write_text("# 首頁\n\n第一版。\n", encoding="utf-8")
    config = site_config(tmp_path)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["hooks"].append(str(Path(swallow_interrupt.__file__)))
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    command = (sys.executable, str(ROOT / "scripts" / "course.py"), "serve", "-f", str(config))
    with dev_server(*command, cwd=tmp_path) as (url, server):
        long_poll(url, "第一版", server)
        if when == "after a rebuild":
            page.write_text("# 首頁\n\n第二版。\n", encoding="utf-8")
            long_poll(url, "第二版", server)
        else:
            page.write_text(f"# 首頁\n\n第二版 {swallow_interrupt.MARKER}。\n", encoding="utf-8")
            ready, deadline = tmp_path / "interrupt-ready", time.monotonic() + 120
            while not ready.exists():  # the rebuild waits in nh3's call of the filter
                assert server.poll() is None, server.log.read_text(encoding="utf-8")[-4000:]
                assert time.monotonic() < deadline, "the rebuild did not reach the filter"
                time.sleep(0.05)
        os.killpg(server.pid, signal.SIGINT)  # one Ctrl-C
        status = server.wait(timeout=60)  # a hang guard only
        log = server.log.read_text(encoding="utf-8")
        assert status == 0, log[-4000:]
        with pytest.raises(ConnectionRefusedError), socket.socket() as probe:
            probe.connect(("127.0.0.1", urlsplit(url).port))
        site_dir = re.search(r"Building 'zh-TW' documentation to directory: (\S+)", log)[1]
        assert not Path(site_dir).exists()  # a background Pagefind did not write it again
        assert "Exception in thread" not in log  # nor failed for the Ctrl-C that stopped it
        if when != "after a rebuild":  # the Ctrl-C did come where nh3 swallows it
            assert "Exception ignored in: ('a', 'href', 'https://example.invalid/')" in log


def served_page(url: str, text: str, server: subprocess.Popen) -> str:
    """The home page's HTML once the server serves it with ``text``."""
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, server.log.read_text(encoding="utf-8")[-4000:]
        assert time.monotonic() < deadline, f"{url} did not serve {text!r}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                html = response.read().decode("utf-8")
            if text in html:
                return html
        except OSError:  # not listening yet
            pass
        time.sleep(0.2)


def long_poll(url: str, text: str, server: subprocess.Popen) -> None:
    """What a reader's tab on the home page (once it shows ``text``) does: its live-reload
    script asks the server, which holds the request until the site changes (or a minute),
    in the background here; returns once the server holds it. A page served before the last
    version is answered at once, and loaded again, as the browser does."""
    held = "Browser connected"  # MkDocs' log line for a request it holds
    deadline = time.monotonic() + 120
    while True:
        html = served_page(url, text, server)
        epoch, request = re.search(r"livereload\((\d+), (\d+)\)", html).groups()
        before = server.log.read_text(encoding="utf-8").count(held)

        def wait(poll: str = f"{url}livereload/{epoch}/{request}") -> None:
            with contextlib.suppress(OSError):  # the server stops under it
                urllib.request.urlopen(poll, timeout=120).read()

        client = threading.Thread(target=wait, daemon=True)
        client.start()
        while client.is_alive():
            if server.log.read_text(encoding="utf-8").count(held) > before:
                return
            assert server.poll() is None, server.log.read_text(encoding="utf-8")[-4000:]
            assert time.monotonic() < deadline, "the server held no live-reload request"
            time.sleep(0.05)
