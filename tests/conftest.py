"""Shared fixtures: the real site, built once per test session into a temporary folder."""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import pytest
import yaml
from mkdocs.config import load_config

from llmcourse import pages

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # shared memory in /tmp, not /dev/shm (64 MB in a default container): a renderer that
    # cannot map its memory never comes up, and Playwright's new_page() has no timeout
    "--disable-dev-shm-usage",
]
DISABLE = "--disable-features="
#: Each language of mkdocs.yml and its folder in the site ("" for the default).
LANG_PREFIX = {lang: pages.prefix(lang) for lang in pages.LANGS}
#: Fixtures that build the site, deploy it with mike or start Chromium: a test using one is
#: `slow` even where its module forgot to say so (the fast loop is `-m "not slow"`).
SLOW_FIXTURES = {"site", "deployed", "base_url", "browser"}


def pytest_sessionstart(session: pytest.Session) -> None:
    """The builds the tests start (mkdocs, mike, servers) import the toolkit the way users'
    do, from the editable install (`course.py setup` installs this checkout): refuse to
    test another checkout's toolkit by mistake."""
    found = subprocess.run(
        [sys.executable, "-c", "import llmcourse; print(llmcourse.__file__)"],
        cwd=Path.home(),  # not this folder: the install, not the working directory, decides
        capture_output=True,
        text=True,
    )
    wanted = ROOT / "scripts" / "llmcourse" / "__init__.py"
    if found.returncode != 0 or Path(found.stdout.strip()).resolve() != wanted:
        raise pytest.UsageError(
            f"{sys.executable} imports llmcourse from {found.stdout.strip() or 'nowhere'}, "
            f"not {wanted}: run `python3 scripts/course.py setup` in {ROOT}"
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The `site_url` the `deployed` fixture publishes for, and where the browser tests serve it:
#: pages carry absolute hreflang alternates from it, which Material's script fetches
#: sitemaps beside (same-origin only, as on the real host).
DEPLOY_URL = f"http://127.0.0.1:{free_port()}/"


def build_site(project: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` for a project folder into site_dir.

    Never with -q: MkDocs then drops warnings before its strict mode can count them.
    """
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir), *extra],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )


#: The project's MkDocs configuration: the real site's, and the one every test site inherits.
CONFIG = ROOT / "mkdocs.yml"


@functools.cache
def project_paths() -> dict:
    """What MkDocs resolves against its config file's folder (the theme code, the hooks, the
    watched folders), as load_config resolves it for the project: a test site's config file
    lives in its own folder, so it names them absolutely."""
    config = load_config(config_file=str(CONFIG))
    return {
        "theme": {"custom_dir": config.theme.custom_dir},
        "hooks": [hook.__file__ for hook in config.hooks.values()],
        "watch": list(config.watch),
    }


def site_config(folder: Path, *, nav: bool = False) -> Path:
    """``folder/mkdocs.yml``, a test site over ``folder/docs``: the project's configuration
    (MkDocs' ``INHERIT``) served at 127.0.0.1:8000, without the course's nav unless ``nav``."""
    config = {"INHERIT": str(CONFIG), **project_paths(), "site_url": "http://127.0.0.1:8000/"}
    if not nav:
        config["nav"] = None
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


#: Small test sites, one folder per scenario (README.md there says what each holds).
SITES = Path(__file__).parent / "fixtures" / "sites"


def scenario_project(folder: Path, scenario: str, pages: dict[str, str] | None = None) -> Path:
    """``folder``: a copy of a scenario's site with ``pages`` (docs-relative name → text)
    written into its docs, and its :func:`site_config`."""
    shutil.copytree(SITES / scenario, folder)
    for name, text in (pages or {}).items():
        (folder / "docs" / name).write_text(text, encoding="utf-8")
    site_config(folder)
    return folder


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course site as `mkdocs build --strict` makes it."""
    out = tmp_path_factory.mktemp("site")
    result = build_site(ROOT, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


PROJECT_PARTS = ["mkdocs.yml", "docs", "hooks", "locales", "overrides", "scripts"]
GIT_ID = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ID},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def mike(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        **GIT_ID,
        "SITE_URL": DEPLOY_URL,
        # mike runs `mkdocs` from PATH: the one beside this interpreter
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mike"), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gh-pages tree of a throw-away repository where mike published 0.1, then 0.2 as
    latest (the default), as a maintainer does."""
    repo = tmp_path_factory.mktemp("mike-repo")
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, repo / part)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "site")
    mike(repo, "deploy", "0.1")
    mike(repo, "deploy", "--update-aliases", "0.2", "latest")
    mike(repo, "set-default", "latest")
    # the root 404 page, as the deploy workflow commits it (scripts/course.py root-404)
    result = subprocess.run(
        [sys.executable, "scripts/course.py", "root-404", "--site-url", DEPLOY_URL],
        cwd=repo,
        env={**os.environ, **GIT_ID},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    out = tmp_path_factory.mktemp("gh-pages")
    archive = subprocess.run(
        ["git", "archive", "gh-pages"], cwd=repo, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    return out


@contextlib.contextmanager
def serving(directory: Path, port: int = 0) -> Iterator[str]:
    """A built site served from localhost (a free port unless one is given): its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextlib.contextmanager
def dev_server(*command: str, cwd: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`mkdocs serve` or `course.py serve` (``command``) on a free port: its base URL and
    process. Its log goes to cwd/server.log; it is stopped as Ctrl-C stops it, unless it has
    stopped already."""
    port = free_port()
    log_path = cwd / "server.log"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [*command, "-a", f"127.0.0.1:{port}"],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the server's whole process group
        )
        server.log = log_path  # for goto_when_served's message
        try:
            yield f"http://127.0.0.1:{port}/", server
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)


def goto_when_served(page, url: str, server: subprocess.Popen, timeout: float = 300) -> None:
    """Open ``url`` in a Playwright page once the dev server listens (after its first build)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.goto(url, wait_until="load")
            return
        except Exception:  # noqa: BLE001 - not listening yet
            assert server.poll() is None, server.log.read_text(encoding="utf-8")[-4000:]
            assert time.monotonic() < deadline, f"{url}: the server did not start"
            time.sleep(0.5)


@pytest.fixture(scope="session")
def base_url(deployed: Path) -> Iterator[str]:
    """The mike deployment served at its site_url (DEPLOY_URL: the pages' absolute hreflang
    alternates are same-origin only there), one server for every test module."""
    with serving(deployed, urlsplit(DEPLOY_URL).port) as url:
        assert url == DEPLOY_URL
        yield url


@pytest.fixture(scope="session")
def browser():
    """Chromium, or a failure in CI / a loud skip elsewhere when it cannot start."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=[*FLAGS, _without_render_document(p)]
            )
        except Error as exc:
            reason = f"Chromium cannot start ({CHROMIUM}): {exc}".splitlines()[0]
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        yield browser
        browser.close()


def _without_render_document(playwright) -> str:
    """The --disable-features switch Playwright gives Chromium, with RenderDocument added.

    With RenderDocument (Playwright stopped turning it off in 1.62), closing a tab or context
    while one of its tabs commits a navigation can wait forever (microsoft/playwright#42068,
    crbug 536385539): a `course.py serve` tab that live-reloads as the test ends did this in
    CI. Chromium keeps only the last --disable-features, so the switch carries Playwright's
    own list, read from the command line a first launch shows on chrome://version."""
    from playwright.sync_api import Error

    first = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    try:
        page = first.new_page()
        page.goto("chrome://version")
        command_line = page.locator("#command_line").inner_text()
    finally:
        first.close()
    lists = [arg.partition("=")[2] for arg in command_line.split() if arg.startswith(DISABLE)]
    if len(lists) != 1:
        raise Error(f"{len(lists)} {DISABLE} switches on Chromium's command line: {command_line}")
    return f"{DISABLE}{lists[0]},RenderDocument"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that keeps the test output quiet."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its !!python/name and !ENV tags name."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_markdown() -> markdown.Markdown:
    """Python-Markdown with the extensions mkdocs.yml lists, toc slugs by heading_slug: the
    tests' own renderer, made apart from llmcourse.toc (which the tests check against it)."""
    from markdown.extensions.toc import TocExtension

    from llmcourse import convert

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    names = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    assert "toc" in names
    extensions: list = [n for n in names if n != "toc"]
    extensions.append(TocExtension(permalink=True, slugify=convert.heading_slug))
    return markdown.Markdown(extensions=extensions)
