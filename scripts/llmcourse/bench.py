"""`course.py bench`: build, serve, repair/conversion and page-weight figures, measured here.

Every timing is the median of several repetitions with min and max, all in one run:
the machines are shared and noisy, so compare ratios from the same run, never
figures from different runs. No timing here is asserted by the tests. The accuracy figures
come from llmcourse.evaluation, whose scores the tests assert thresholds on.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import http.server
import io
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import yaml
from mkdocs.utils.yaml import yaml_load

from llmcourse import DOCS, ROOT, bench_text, chinese, evaluation, pages

RESULTS = DOCS / "about" / "benchmarks.md"
RESULTS_EN = DOCS / pages.file_name("about/benchmarks", "md", "en")
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"


#: Rounds of the bare, full, edited and one-language builds, taken in turn (:func:`rounds`).
BUILD_ROUNDS = 7


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(median, min, max) seconds of ``repeat`` calls."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs), max(runs)


def fmt(stats: tuple[float, float, float], unit: str = "s") -> str:
    med, lo, hi = stats
    return f"{med:.3f} {unit} (min {lo:.3f}, max {hi:.3f})"


# --------------------------------------------------------------------------- builds


def project_config(
    docs: Path, *, hooks: bool = True, only: str | None = None, nav: bool = True
) -> dict:
    """The project's mkdocs.yml with absolute paths, optionally without hooks/one language."""
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        config = yaml_load(f)  # as MkDocs reads it: !ENV resolved, !!python/name imported
    config["docs_dir"] = str(docs)
    config["watch"] = [str(ROOT / w) for w in config.get("watch", [])]
    if config["theme"].get("custom_dir"):  # the theme's code, outside docs/
        config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    config["site_url"] = "http://127.0.0.1:8000/"
    # Without hooks, only the UI-language one stays: Material has no zh-CN table of its own.
    config["hooks"] = [
        str(ROOT / h) for h in config.get("hooks", []) if hooks or h.endswith("locales.py")
    ]
    config["markdown_extensions"] = [
        {"toc": {"permalink": True, "slugify": "!!python/name:llmcourse.convert.heading_slug"}}
        if isinstance(ext, dict) and "toc" in ext
        else ext
        for ext in config["markdown_extensions"]
    ]
    if only:
        for plugin in config["plugins"]:
            if isinstance(plugin, dict) and "i18n" in plugin:
                plugin["i18n"]["build_only_locale"] = only
    if not nav:
        config.pop("nav", None)
    return config


def bare_config(docs: Path) -> dict:
    """The baseline the full build is held to: a plain one-language Material build of the
    same zh-TW pages, with the same theme settings and Markdown extensions, and no hooks, no
    i18n, no notebooks (their nav entries dropped; other languages' files excluded), and none
    of the project's theme code (overrides/ templates need the hooks' data)."""
    config = project_config(docs, hooks=False)
    config["hooks"] = []
    config["plugins"] = []
    config["theme"].pop("custom_dir", None)
    config.pop("extra_css", None)
    config.pop("extra_javascript", None)
    config.pop("watch", None)
    config["strict"] = False  # links to the left-out notebooks and translations only warn
    others = "".join(
        f"*{pages.language(lang).suffix}.md\n" for lang in pages.LANGS if lang != pages.DEFAULT
    )
    config["exclude_docs"] = (config.get("exclude_docs") or "") + others + "*.ipynb\n"
    if config.get("nav"):
        config["nav"] = _without_notebooks(config["nav"])
    return config


def _without_notebooks(nav: list) -> list:
    kept = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            value = _without_notebooks(value)
            if value:
                kept.append({next(iter(item)): value})
        elif not str(value).endswith(".ipynb"):
            kept.append(item)
    return kept


def write_config(config: dict, folder: Path) -> Path:
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    text = text.replace(
        "'!!python/name:llmcourse.convert.heading_slug'",
        "!!python/name:llmcourse.convert.heading_slug",
    )
    path = folder / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build(config_file: Path, site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file), "-d", str(site)],
        env=env,
        capture_output=True,
        text=True,
        cwd=config_file.parent,
    )
    if result.returncode:
        raise RuntimeError(f"build failed: {result.stderr[-2000:]}")


def edited_build(tmp_path: Path) -> Callable[[], None]:
    """A full build of a copy of the course after a new line in one of its pages (the page
    serve's figures save), each time it is called: its conversion, rendering and the search
    index are made again, everything else comes from the caches as in a contributor's next
    build."""
    folder = _mk(tmp_path / "edited")
    docs = folder / "docs"
    shutil.copytree(DOCS, docs)
    config = write_config(project_config(docs), folder)
    page = docs / pages.file_name(MEASURED["served"], "md", pages.DEFAULT)
    site = folder / "site"
    build(config, site)
    edits = itertools.count(1)

    def edited() -> None:
        with page.open("a", encoding="utf-8") as f:
            f.write(f"\n第 {next(edits)} 次編輯。\n")
        build(config, site)

    return edited


def rounds(
    builds: dict[str, Callable[[], object]], repeat: int
) -> dict[str, tuple[float, float, float]]:
    """(median, min, max) seconds of each build, the builds taken in turn ``repeat`` times:
    a slow minute of this shared machine slows each of them alike, not the one measured then."""
    runs: dict[str, list[float]] = {name: [] for name in builds}
    for _ in range(repeat):
        for name, fn in builds.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), min(t), max(t)) for name, t in runs.items()}


def pages_in(site: Path) -> int:
    return sum(1 for _ in site.rglob("*.html"))


def dir_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def scaled_docs(folder: Path, factor: int) -> Path:
    """The docs tree with the course content copied ``factor`` times.

    A course that grows keeps its tracks: each track's chapters are copied ``factor - 1``
    more times as parts inside it (``fundamentals/part-2/``, ...), as its chapters would be
    grouped, rather than as hundreds of tracks side by side.
    """
    docs = folder / "docs"
    shutil.copytree(DOCS, docs)
    for section in pages.tracks():
        for i in range(2, factor + 1):
            shutil.copytree(DOCS / section, docs / section / f"part-{i}")
    return docs


def build_measured(config_file: Path, site: Path) -> tuple[float, int]:
    """(seconds, peak resident memory in bytes) of one `mkdocs build` in a child process.

    The peak is that of the build process or the largest of the processes it waited for
    (Linux's accounting of ``wait4``), not the sum of them.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file), "-d", str(site)]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=config_file.parent
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise RuntimeError(f"build failed: {err.read()[-2000:].decode(errors='replace')}")
    return seconds, usage.ru_maxrss * 1024  # Linux counts ru_maxrss in KiB


def html_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*.html"))


def scaling(tmp_path: Path, factors: tuple[int, ...]) -> list[tuple[str, str]]:
    """Content ×1, ×N...: build time, time and bytes per page, peak memory, and the ratios
    of bytes per page to ×1's (output linear in pages: the ratio stays near 1)."""
    rows = []
    first: tuple[float, float, float] | None = None  # ×1's time, bytes and HTML per page
    for factor in factors:
        folder = _mk(tmp_path / f"scale-x{factor}")
        docs = scaled_docs(folder, factor)
        config = write_config(project_config(docs, nav=False), folder)
        site = folder / "site"
        seconds, peak = build_measured(config, site)
        pages = pages_in(site)
        per = (seconds / pages, dir_size(site) / pages, html_size(site) / pages)
        first = first or per
        rows.append(
            (
                f"content ×{factor}: build",
                f"{seconds:.1f} s, {pages} pages, {per[0] * 1000:.0f} ms per page "
                f"({per[0] / first[0]:.2f}× ×1's); peak memory {peak / 2**20:.0f} MiB",
            )
        )
        rows.append(
            (
                f"content ×{factor}: output per page",
                f"{per[1] / 1024:.1f} KiB all files ({per[1] / first[1]:.2f}× ×1's), "
                f"{per[2] / 1024:.1f} KiB HTML ({per[2] / first[2]:.2f}× ×1's); "
                f"{dir_size(site) / 1e6:.1f} MB in all",
            )
        )
        shutil.rmtree(folder)
    return rows


# --------------------------------------------------------------------------- pathological input


def pathological_pages() -> dict[str, str]:
    """Pages made to break a build (issue "Safe by construction"): name -> Markdown text."""
    para = "大型語言模型的訓練需要大量資料與計算資源。" * 20 + "\n\n"
    return {
        "5 MB page": "# 大頁\n\n" + para * (5_000_000 // len(para.encode("utf-8"))),
        "1 MB line": "# 長行\n\n" + "data " * 199_990 + "\n",
        "70k code spans": "# 程式碼\n\n"
        + "".join(f"`c{i % 10}` 資料" + ("\n" if i % 10 == 9 else " ") for i in range(70_000)),
        "10k nested list items": "# 清單\n\n" + "- " * 10_000 + "項目\n",
        "70k unclosed rules": "# 規則\n\n"
        + "".join("-{API} 資料" + ("\n" if i % 10 == 9 else " ") for i in range(70_000)),
        "deep quotes": "# 引用\n\n" + ">" * 5_000 + " 深層引用\n",
    }


def pathological(tmp_path: Path) -> list[tuple[str, str]]:
    """Each pathological page checked and built on its own: refused or built, and how fast."""
    from llmcourse import check

    rows = []
    for name, text in pathological_pages().items():
        folder = _mk(tmp_path / name.replace(" ", "-"))
        docs = _mk(folder / "docs")
        (docs / "index.md").write_text(text, encoding="utf-8")
        config = write_config(project_config(docs, nav=False), folder)
        start = time.perf_counter()
        problems, _ = check.run_checks([docs])
        checked = time.perf_counter() - start
        start = time.perf_counter()
        try:
            build(config, folder / "site")
            verdict = "built"
        except RuntimeError:
            verdict = "refused"
        built = time.perf_counter() - start
        first = problems[0].message[:60] if problems else "no problem"
        rows.append(
            (
                f"pathological: {name}",
                f"check {checked:.2f} s ({first}); build {verdict} in {built:.2f} s",
            )
        )
        shutil.rmtree(folder)
    return rows


# --------------------------------------------------------------------------- serve


#: The pages bench measures, by role (bench.yml).
MEASURED = yaml.safe_load(Path(__file__).with_name("bench.yml").read_text(encoding="utf-8"))


def serve_latency(repeat: int, command: str) -> dict[str, tuple[float, float, float]]:
    """Seconds from saving a zh-TW source page to the server serving it with the change, on
    the page itself and on its generated zh-CN page, over ``repeat`` saves a second apart.

    ``command``: "course.py serve" (llmcourse.serve) or "mkdocs serve" (MkDocs' own).
    """
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(DOCS, docs)
        config = write_config(project_config(docs), Path(tmp))
        port = _free_port()
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        program = ["llmcourse.serve"] if command == "course.py serve" else ["mkdocs", "serve"]
        proc = subprocess.Popen(
            [sys.executable, "-m", *program, "-f", str(config), "-a", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp,
        )
        key = MEASURED["served"]
        other = chinese.other(pages.DEFAULT)
        urls = {
            pages.DEFAULT: f"http://127.0.0.1:{port}{pages.url(key, pages.DEFAULT)}",
            f"{other} (generated)": f"http://127.0.0.1:{port}{pages.url(key, other)}",
        }
        page = docs / pages.file_name(key, "md", pages.DEFAULT)
        try:
            _wait_for(urls[pages.DEFAULT], None, 300)
            runs: dict[str, list[float]] = {lang: [] for lang in urls}
            for i in range(repeat):
                time.sleep(1.0)  # as a contributor saves: the previous save's work is done
                marker = f"bench-marker-{i}-{time.time_ns()}"  # the same in both scripts
                start = time.perf_counter()
                page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", "utf-8")
                for lang, url in urls.items():
                    _wait_for(url, marker, 300)
                    runs[lang].append(time.perf_counter() - start)
            return {lang: (statistics.median(r), min(r), max(r)) for lang, r in runs.items()}
        finally:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C: each server removes its site folder
            proc.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, marker: str | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if marker is None or marker in resp.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not serve {marker!r} within {timeout}s")


# --------------------------------------------------------------------------- text tools


def course_text() -> str:
    """Every Chinese source page of the course, as one text."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(DOCS.rglob("*.md"))
        if pages.language_of(p.name) in chinese.SCRIPTS
    )


def throughput(repeat: int) -> list[tuple[str, str]]:
    import ftfy
    import opencc

    from llmcourse import convert, repair

    text = course_text()
    mb = len(text.encode("utf-8")) / 1e6
    plain = opencc.OpenCC("tw2sp")
    rows = []
    for label, fn in [
        ("repair (clean course text)", lambda: repair.repair_text(text)),
        ("ftfy.fix_text alone", lambda: ftfy.fix_text(text)),
        ("convert_markdown zh-TW → zh-CN", lambda: convert.convert_markdown(text, "zh-CN")),
        ("plain OpenCC tw2sp", lambda: plain.convert(text)),
    ]:
        fn()  # warm caches: dictionaries load once per process
        med, lo, hi = timed(fn, repeat)
        rows.append(
            (label, f"{mb / med:.2f} MB/s (min {mb / hi:.2f}, max {mb / lo:.2f}); {mb:.3f} MB")
        )
    return rows


# --------------------------------------------------------------------------- weight


def page_bytes(site: Path, page: str) -> dict[str, tuple[int, int, int]]:
    """What a page loads as it opens, by kind (HTML, CSS, JS): (files, bytes, bytes with gzip
    -9), from its own <link rel=stylesheet> and <script src> (what a script imports later,
    search-ui.js when search opens, is not counted)."""
    html_path = site / page / "index.html"
    html = html_path.read_text(encoding="utf-8")
    kinds = {"HTML": [html_path]}
    for kind, pattern in (
        ("CSS", r'<link[^>]+href="([^"]+\.css)"'),
        ("JS", r'<script[^>]+src="([^"]+\.js)"'),
    ):
        kinds[kind] = [(html_path.parent / href).resolve() for href in re.findall(pattern, html)]
    return {
        kind: (
            len(files),
            sum(f.stat().st_size for f in files if f.exists()),
            sum(len(gzip.compress(f.read_bytes(), 9)) for f in files if f.exists()),
        )
        for kind, files in kinds.items()
    }


def page_weight(site: Path, kind_of_page: str) -> list[tuple[str, str]]:
    """HTML, CSS and JS bench.yml's chapter or notebook page loads (raw and gzip), and their
    sum beside the page's budget; search costs: search_costs."""
    page = pages.url(MEASURED[kind_of_page], pages.DEFAULT).strip("/")
    weights = page_bytes(site, page)
    raw_all, gz_all = (sum(w[i] for w in weights.values()) for i in (1, 2))
    budget = MEASURED["budget"][kind_of_page]
    return [
        *(
            (f"{page} {kind} ({n} files)", f"{raw / 1024:.1f} KiB, gzip {gz / 1024:.1f} KiB")
            for kind, (n, raw, gz) in weights.items()
        ),
        (
            f"{page} in all (goal ≤ {budget / 1000:.0f} KB with gzip)",
            f"{raw_all / 1000:.1f} KB, gzip {gz_all / 1000:.1f} KB",
        ),
    ]


# --------------------------------------------------------------------------- search


def search_costs(tmp_path: Path, factors: tuple[int, ...] = (1, 50)) -> list[tuple[str, str]]:
    """Pagefind at content ×1 and ×N: index time, bundle size, and per query in Chromium the
    bytes fetched and the time to first results (cold: the first query of a visit, engine
    included; warm: the queries after it), for the queries of tests/cases/search."""
    from llmcourse import search

    cases = yaml.safe_load((ROOT / "tests" / "cases" / "search" / "queries.yaml").read_text())
    rows = [
        (
            "search before Pagefind (hand-written index, fetched on every page)",
            "138 KiB, gzip 53 KiB per language at ×1 (zh-TW, measured at commit a2cb4af)",
        )
    ]
    for factor in factors:
        folder = _mk(tmp_path / f"search-x{factor}")
        docs = DOCS if factor == 1 else scaled_docs(folder, factor)
        site = folder / "site"
        build(write_config(project_config(docs, nav=factor == 1), folder), site)
        index_time = timed(lambda s=site: search.index_site(s, reuse=False), 3)
        rows.append((f"search ×{factor}: Pagefind index step", fmt(index_time)))
        bundle = site / search.BUNDLE
        for lang in pages.LANGS:
            files = [p for p in bundle.rglob("*") if p.is_file() and lang.lower() in p.name]
            size = sum(p.stat().st_size for p in files)
            rows.append(
                (
                    f"search ×{factor}: {lang} index on disk",
                    f"{size / 1024:.0f} KiB, {len(files)} files",
                )
            )
        for lang, (cold, warm) in _query_costs(site, cases).items():
            for label, runs in (("first query", cold), ("next queries", warm)):
                kib = statistics.median(r[0] for r in runs) / 1024
                gz = statistics.median(r[1] for r in runs) / 1024
                ms = [r[2] for r in runs]
                rows.append(
                    (
                        f"search ×{factor}: {lang} {label} (median of {len(runs)})",
                        f"{kib:.1f} KiB fetched ({gz:.1f} KiB with gzip), first results "
                        f"{statistics.median(ms):.0f} ms (min {min(ms):.0f}, max {max(ms):.0f})",
                    )
                )
        if factor != 1:
            shutil.rmtree(folder)
    return rows


def _query_costs(site: Path, cases: dict) -> dict[str, tuple[list, list]]:
    """Per language: (bytes served, bytes with gzip, ms to first results) of each query typed
    as the first of a visit (fresh browser cache), and of the query after it on the page."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    served: list[tuple[int, int]] = []  # (bytes served, bytes a host that gzips text sends)

    class Counting(http.server.SimpleHTTPRequestHandler):
        def copyfile(self, source, outputfile) -> None:  # noqa: ANN001 - the base signature
            data = source.read()
            outputfile.write(data)
            if "/pagefind/" in self.path:
                text = self.path.split("?")[0].endswith((".js", ".json"))
                served.append((len(data), len(gzip.compress(data, 6)) if text else len(data)))

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Counting, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    timing = """q => new Promise(done => {
        const box = document.querySelector(".reader-search input[name=query]")
        const list = document.querySelector(".reader-search__results")
        const start = performance.now()
        box.value = q
        box.dispatchEvent(new Event("input"))
        const wait = () => list.dataset.query === q
            ? done(performance.now() - start) : requestAnimationFrame(wait)
        wait()
    })"""

    def typed(page, query: str) -> tuple[int, int, float]:  # noqa: ANN001 - a Playwright page
        ms = page.evaluate(timing, query)
        page.wait_for_load_state("networkidle")
        return sum(r for r, _ in served), sum(g for _, g in served), ms

    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless"])
            for lang, queries in cases.items():
                cold, warm = [], []
                for n, case in enumerate(queries):
                    context = browser.new_context()  # an empty cache: a first visit
                    page = context.new_page()
                    page.goto(base.rstrip("/") + pages.url(MEASURED["chapter"], lang))
                    page.wait_for_load_state("networkidle")
                    served.clear()
                    page.locator("body").press("/")  # opening search loads the engine
                    cold.append(typed(page, case["query"]))
                    served.clear()
                    warm.append(typed(page, queries[(n + 1) % len(queries)]["query"]))
                    context.close()
                out[lang] = (cold, warm)
            browser.close()
    finally:
        server.shutdown()
    return out


# --------------------------------------------------------------------------- command


def command(repeat: int, quick: bool, stdout: TextIO) -> int:
    """Measure everything and print one table; write it to docs/about/benchmarks*.md."""
    rows: list[tuple[str, str]] = []

    def out(label: str, value: str) -> None:
        rows.append((label, value))
        stdout.write(f"{label:<58} {value}\n")
        stdout.flush()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        full = write_config(project_config(DOCS), _mk(tmp_path / "full"))
        bare = write_config(bare_config(DOCS), _mk(tmp_path / "bare"))
        one = write_config(project_config(DOCS, only=pages.DEFAULT), _mk(tmp_path / "one"))
        site = tmp_path / "site"
        build(full, site)  # warm: notebooks and templates come from .cache/ as a contributor's do
        build(bare, tmp_path / "site-bare")
        build(one, tmp_path / "site-one")
        stats = rounds(
            {
                "bare": lambda: build(bare, tmp_path / "site-bare"),
                "full": lambda: build(full, site),
                # the same with one page edited before each build: what the caches cannot spare
                "edited": edited_build(tmp_path),
                "one": lambda: build(one, tmp_path / "site-one"),
            },
            max(repeat, BUILD_ROUNDS),
        )
        stats_full, stats_bare, stats_edited = stats["full"], stats["bare"], stats["edited"]
        n_full = pages_in(site)
        out("full build, 3 languages, with hooks", f"{fmt(stats_full)}; {n_full} pages")
        weight = page_weight(site, "chapter") + page_weight(site, "notebook")
        out(
            "bare baseline: Material, zh-TW pages only (no hooks, i18n, notebooks)",
            f"{fmt(stats_bare)}; {pages_in(tmp_path / 'site-bare')} pages",
        )
        out("full build vs bare baseline (goal ≤ 2.0×)", f"{stats_full[0] / stats_bare[0]:.2f}×")
        out("full build after editing one page", fmt(stats_edited))
        out(
            "full build after editing one page vs bare baseline (goal ≤ 2.0×)",
            f"{stats_edited[0] / stats_bare[0]:.2f}×",
        )
        stats_one = stats["one"]
        n_one = pages_in(tmp_path / "site-one")
        out("one-language build (zh-TW)", f"{fmt(stats_one)}; {n_one} pages")
        per_full, per_one = stats_full[0] / n_full, stats_one[0] / n_one
        out(
            "cost per output page: 3 languages vs one",
            f"{per_full * 1000:.1f} ms vs {per_one * 1000:.1f} ms ({per_full / per_one:.2f}×)",
        )
        for label, value in scaling(tmp_path, (1, 10) if quick else (1, 10, 50)):
            out(label, value)
        for label, value in weight:
            out(f"page weight {label}", value)
        for label, value in pathological(tmp_path):
            out(label, value)
        for label, value in search_costs(tmp_path):
            out(label, value)
    saves = max(repeat, 5)
    for program in ("course.py serve", "mkdocs serve"):
        for lang, stats in serve_latency(saves, program).items():
            out(f"{program}: save → {lang} page served (median of {saves})", fmt(stats))
    for label, value in throughput(max(repeat, 5)) + evaluation.rows():
        out(label, value)
    for label, value in lighthouse():
        out(label, value)
    _write_results(rows)
    return 0


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def locked_lighthouse(npm: str) -> Path:
    """node_modules/.bin/lighthouse as package-lock.json pins it, after `npm ci` if needed.

    Nothing is fetched at whatever version is current: `npm ci` installs exactly the lock
    (integrity-checked) when node_modules is missing or was installed from another lock.
    """
    modules = ROOT / "node_modules"
    binary = modules / ".bin" / "lighthouse"
    stamp = modules / ".installed-lock"
    wanted = "".join(
        (ROOT / name).read_text(encoding="utf-8") for name in ("package.json", "package-lock.json")
    )
    if binary.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return binary
    # --ignore-scripts: no package's install script runs (Lighthouse needs none).
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    stamp.write_text(wanted, encoding="utf-8")
    return binary


#: Lighthouse runs per page: one run's performance score moves by several points on a busy
#: machine (its total blocking time is the machine's CPU, slowed 4×), so the median is shown.
LIGHTHOUSE_RUNS = range(3)
#: What a reader's phone sees: Lighthouse's default mobile emulation and simulated throttling
#: (slow 4G, 4× slower CPU), the conditions its published scores assume.
LIGHTHOUSE_METRICS = {
    "largest-contentful-paint": "LCP",
    "cumulative-layout-shift": "CLS",
    "total-blocking-time": "TBT",
}


def lighthouse() -> list[tuple[str, str]]:
    """Lighthouse, mobile, default throttling, on bench.yml's pages of the site built for the
    address it is served at and served as GitHub Pages serves it (``HostLike``): each page's
    run of median performance (:func:`_median_run`)."""
    npm = shutil.which("npm")
    chromium = shutil.which("chromium")
    if not npm or not chromium:
        return [("lighthouse", "not run: needs npm (Node.js) and Debian's chromium")]
    try:
        binary = locked_lighthouse(npm)
    except subprocess.CalledProcessError as e:
        return [("lighthouse", f"not run: npm ci failed: {e.stderr[-300:]}")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(HostLike, directory=str(site))
        )
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        config = project_config(DOCS)
        config["site_url"] = base  # absolute links (hreflang) on the origin they are served at
        build(write_config(config, Path(tmp)), site)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            for key in MEASURED["lighthouse"]:
                page = pages.url(key, pages.DEFAULT)
                url, report = base.rstrip("/") + page, Path(tmp) / "report.json"
                runs = [_lighthouse_run(binary, chromium, url, report) for _ in LIGHTHOUSE_RUNS]
                rows.append(
                    (
                        f"lighthouse mobile, throttled: {page} (median of {len(runs)})",
                        _median_run(runs),
                    )
                )
        finally:
            server.shutdown()
    return rows


def _median_run(runs: list[tuple[int, str] | str]) -> str:
    """The run of median performance score, with the lowest and highest score; the first
    failure's message if a run failed."""
    failed = [run for run in runs if isinstance(run, str)]
    if failed:
        return failed[0]
    done = sorted(run for run in runs if not isinstance(run, str))
    lowest, highest = done[0][0], done[-1][0]
    return f"{done[len(done) // 2][1]}; performance min {lowest}, max {highest}"


def _lighthouse_run(binary: Path, chromium: str, url: str, report: Path) -> tuple[int, str] | str:
    """(performance score, the row's text) of one Lighthouse run; a message if it failed."""
    cmd = [
        str(binary),
        url,
        "--quiet",
        "--no-enable-error-reporting",  # no crash reports sent anywhere
        "--output=json",
        f"--output-path={report}",
        "--form-factor=mobile",
        "--chrome-flags=--headless --no-sandbox --disable-gpu "
        "--disable-background-networking --disable-component-update --no-first-run",
    ]
    env = {**os.environ, "CHROME_PATH": chromium}
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode or not report.exists():
        return f"failed: {result.stderr[-300:]}"
    data = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    scored = {
        c["title"]: round(c["score"] * 100)
        for c in data["categories"].values()
        if c.get("score") is not None
    }
    scores = ", ".join(f"{title} {score}" for title, score in scored.items())
    metrics = ", ".join(
        # Lighthouse writes "1.5\xa0s": a plain space, as every other row of the table has
        f"{label} {data['audits'][audit].get('displayValue', '?').replace(chr(0xA0), ' ')}"
        for audit, label in LIGHTHOUSE_METRICS.items()
    )
    return scored.get("Performance", 0), f"{scores}; {metrics}"


class HostLike(http.server.SimpleHTTPRequestHandler):
    """A static host as GitHub Pages is one: text gzip-compressed for clients that accept
    it, every file cacheable for 10 minutes (``Cache-Control: max-age=600``)."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".mjs")

    def send_head(self):  # noqa: ANN201 - the base class's signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the base class redirects to the slash
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return None
        data = path.read_bytes()
        zipped = path.suffix in self.TEXT and "gzip" in self.headers.get("Accept-Encoding", "")
        if zipped:
            data = gzip.compress(data, 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, *args: object) -> None:
        pass


def _write_results(rows: list[tuple[str, str]]) -> None:
    """Put the table into the benchmarks pages, with the machine and date."""
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    # the zh-TW page (its zh-CN page is converted from it) in Chinese: llmcourse.bench_text
    for page, lang in ((RESULTS, "zh-TW"), (RESULTS_EN, "en")):
        block = bench_text.block(rows, machine, when, lang)
        text = page.read_text(encoding="utf-8")
        marked = re.escape(MARK_START) + ".*?" + re.escape(MARK_END)
        new = re.sub(marked, lambda m, b=block: b, text, flags=re.S)
        if new != text:
            page.write_text(new, encoding="utf-8")
