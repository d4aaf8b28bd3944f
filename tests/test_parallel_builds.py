"""`mkdocs build` builds the languages side by side (llmcourse.language_builds): the same
site as one language after another, and a language's warning or error fails the build as it
would there."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, build_site, scenario_project

pytestmark = pytest.mark.slow  # builds sites

PARALLEL = "Building zh-CN, en in processes of their own"

#: One language after another: MkDocs' build called in-process without `mkdocs build`'s
#: start-up event, as `course.py check` builds.
ONE_BY_ONE = """
import sys
import time
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1], site_dir=sys.argv[2]))
"""


def files_of(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_side_by_side_builds_the_same_site_as_one_by_one(tmp_path: Path) -> None:
    parallel = tmp_path / "parallel"
    result = build_site(ROOT, parallel, "-v")
    assert result.returncode == 0, result.stderr[-3000:]
    assert PARALLEL in result.stderr
    serial = tmp_path / "serial"
    result = subprocess.run(
        [sys.executable, "-c", ONE_BY_ONE, str(ROOT / "mkdocs.yml"), str(serial)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert PARALLEL not in result.stderr
    a, b = files_of(parallel), files_of(serial)
    assert sorted(a) == sorted(b)
    # Pagefind lists its languages in no fixed order, one build after another too
    entry = "pagefind/pagefind-entry.json"
    assert json.loads(a.pop(entry)) == json.loads(b.pop(entry))
    assert [name for name in a if a[name] != b[name]] == []
    # every page of every language in the one sitemap, which no single process saw
    pages = [name for name in a if name.endswith("index.html")]
    assert a["sitemap.xml"].decode().count("<url>") == len(pages)


def _failing_build(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess:
    """The fallback scenario with one more page, built side by side: it fails."""
    project = scenario_project(tmp_path / "project", "fallback", {name: text})
    result = build_site(project, tmp_path / "site", "-v")
    assert PARALLEL in result.stderr
    assert result.returncode == 1
    return result


def test_a_warning_of_another_language_fails_the_strict_build_once(tmp_path: Path) -> None:
    result = _failing_build(
        tmp_path, "broken.en.md", "# Broken\n\nSee [the missing page](missing.md).\n"
    )
    warning = "Doc file 'broken.en.md' contains a link 'missing.md', but the target is not found"
    assert result.stderr.count(warning) == 1
    assert "Aborted with 1 warnings in strict mode!" in result.stdout


def test_an_error_of_another_language_stops_the_build_with_its_message(tmp_path: Path) -> None:
    result = _failing_build(tmp_path, "odd.en.md", "---\nlocale_text: 7\n---\n\n# Odd\n")
    assert "ERROR   -  odd.en.md: front matter locale_text must be {block:" in result.stderr
    assert "Aborted with a BuildError!" in result.stdout


def test_a_report_both_languages_give_is_shown_once(tmp_path: Path) -> None:
    # a zh-TW source: the zh-TW build and the zh-CN build (of its converted page) both clean it
    result = _failing_build(
        tmp_path, "unsafe.md", "# 頁面\n\n<script>alert(1)</script>\n\n正文。\n"
    )
    reports = [line for line in result.stderr.splitlines() if "unsafe.md:3:1" in line]
    assert len(reports) == 1, reports


#: A first build that forks its languages' processes (each still building) and is then
#: killed: SIGKILL, as a CI's cancel, `subprocess.run(timeout=)` or the OOM killer end it.
KILLED_PARENT = """
import os, signal, types
import mkdocs.commands.build
from llmcourse import language_builds

class I18n:  # what start() reads of mkdocs-static-i18n's plugin
    build_languages = ["zh-TW", "zh-CN", "en"]
    current_language = "zh-TW"
    building = False

build = mkdocs.commands.build.build  # the loop's call, which start() redirects

def still_building(config, i18n, lang, report):
    signal.pause()

language_builds._child = still_building
language_builds.enable("build")
language_builds.start(types.SimpleNamespace(plugins={"i18n": I18n()}))
print(" ".join(str(c.pid) for c in language_builds.STATE.children.values()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="side by side on Linux only")
def test_the_language_processes_end_with_a_killed_first_build(tmp_path: Path) -> None:
    # output to a file: a pipe stays open while any language process lives
    out = tmp_path / "out"
    with out.open("w") as stdout:
        code = subprocess.run([sys.executable, "-c", KILLED_PARENT], stdout=stdout, timeout=60)
    assert code.returncode == -signal.SIGKILL
    pids = [int(pid) for pid in out.read_text().split()]
    assert len(pids) == 2
    try:
        deadline = time.monotonic() + 60  # a bound on the wait, not a measurement
        while any(map(_running, pids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in pids if _running(pid)] == []
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


#: Language builds that print (a library's progress, a hook's print()) to a stdout that is
#: a file or a pipe, where Python buffers it.
PRINTING = """
import types
from llmcourse import language_builds

class I18n:  # what start() and join_or_build() read of mkdocs-static-i18n's plugin
    build_languages = ["zh-TW", "zh-CN", "en"]
    current_language = "zh-TW"
    building = False
    i18n_files_per_language = {"zh-CN": [], "en": []}

i18n = I18n()
config = types.SimpleNamespace(plugins={"i18n": i18n})

def printing(config, dirty=False):
    print("built", config.plugins["i18n"].current_language)

language_builds._BUILD = build = printing  # MkDocs' build, as the loop calls it
language_builds.enable("build")
language_builds.start(config)
for lang in ("zh-CN", "en"):
    i18n.current_language = lang
    language_builds.join_or_build(config)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="side by side on Linux only")
def test_what_a_language_process_prints_is_not_lost(tmp_path: Path) -> None:
    out = tmp_path / "out"
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    with out.open("w") as stdout:
        result = subprocess.run(
            [sys.executable, "-c", PRINTING], stdout=stdout, env=buffered, timeout=60
        )
    assert result.returncode == 0
    assert sorted(out.read_text().splitlines()) == ["built en", "built zh-CN"]


def test_a_failed_build_leaves_no_sitemap_for_the_next_build_of_the_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a first build that failed (its language processes abandoned), a later build in
    the same process does not write the sitemap from the failed build's files and nav."""
    from mkdocs.config.defaults import MkDocsConfig

    from llmcourse import language_builds

    written = []
    monkeypatch.setattr(language_builds, "_write_theme_template", lambda *a: written.append(a))
    monkeypatch.setattr(language_builds.STATE, "first", {})
    language_builds.STATE.children.clear()
    failed = {"env": "failed env", "files": "failed files", "nav": "failed nav"}
    language_builds.STATE.first.update(failed)
    language_builds.abandon()
    language_builds.finish(MkDocsConfig())
    assert written == []
