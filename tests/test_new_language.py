"""A new language is an entry in mkdocs.yml, a locales/<lang>.yml and pages: no code change.

The project (its tracked mkdocs.yml, hooks/, scripts/, locales/ and overrides/) is copied
with a tiny docs/; the copy's mkdocs.yml gains `ja`, its locales/ a ja.yml (en.yml's keys,
Material's `ja` table), its docs/ a Japanese home page. Everything then runs from the copy
(its own scripts/ first on the path): the build, `course.py status --json`, `course.py check`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # builds the copied project

PAGES = {
    "index.md": "# 首頁\n\n這是課程的首頁，請看[指南](guide.md)。\n\n## 開始\n",
    "guide.md": "# 指南\n\n預設的設定。\n\n## 第一步\n",
    "index.ja.md": "# ホーム\n\nコースのホームページです。[ガイド](guide.md)をご覧ください。\n\n"
    "## はじめに\n",
}
SITE_URL = "http://127.0.0.1:8000/"
JA_ENTRY = "        - locale: ja\n          name: Japanese\n          build: true\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The copied project with `ja` added: config, locale file, one Japanese page."""
    out = tmp_path_factory.mktemp("ja-project")
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "mkdocs.yml", "hooks", "scripts", "locales", "overrides"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (os.fsdecode(n) for n in tracked)):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes((ROOT / name).read_bytes())
    config = out / "mkdocs.yml"
    config.write_text(_with_ja(config.read_text(encoding="utf-8")), encoding="utf-8")
    en = (out / "locales" / "en.yml").read_text(encoding="utf-8")
    ja = en.replace("material_language: en ", "material_language: ja ", 1)
    ja = ja.replace("language_name: English ", "language_name: 日本語 ", 1)
    assert "material_language: ja " in ja and "language_name: 日本語 " in ja
    (out / "locales" / "ja.yml").write_text(ja, encoding="utf-8")
    for name, text in PAGES.items():
        (out / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (out / "docs" / name).write_text(text, encoding="utf-8")
    return out


def _with_ja(config: str) -> str:
    """mkdocs.yml with `ja` after the last i18n language and no nav (the pages are few)."""
    lines = config.splitlines(keepends=True)
    en = lines.index("        - locale: en\n")
    end = next(i for i in range(en + 1, len(lines)) if not lines[i].startswith("          "))
    lines[end:end] = [JA_ENTRY]
    nav = lines.index("nav:\n")
    rest = next(
        (i for i in range(nav + 1, len(lines)) if lines[i].strip() and lines[i][0] != " "),
        len(lines),
    )
    del lines[nav:rest]
    return "".join(lines)


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    """A command in the copied project, its own scripts/ (llmcourse) first on the path."""
    env = {
        **os.environ,
        "PYTHONPATH": str(project / "scripts"),
        "NO_MKDOCS_2_WARNING": "1",
        "SITE_URL": SITE_URL,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ja-site")
    result = run(project, "-m", "mkdocs", "build", "--strict", "-d", str(out))
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_the_new_language_is_built_under_its_folder_in_its_language(site: Path) -> None:
    for page in ("ja/index.html", "ja/guide/index.html", "ja/404.html"):
        assert '<html lang="ja" ' in (site / page).read_text(encoding="utf-8"), page
    home = (site / "ja" / "index.html").read_text(encoding="utf-8")
    assert "コースのホームページです" in home
    assert 'http-equiv="Content-Security-Policy"' in home
    # the untranslated page shows the Chinese source, with the fallback notice
    guide = (site / "ja" / "guide" / "index.html").read_text(encoding="utf-8")
    assert "預設的設定" in guide and 'class="admonition warning"' in guide
    # every page names its Japanese alternate; Pagefind indexes the language on its own
    root = (site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="alternate" href="{SITE_URL}ja/" hreflang="ja">' in root
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["ja"]["page_count"] == 2


def test_status_json_knows_the_new_language(project: Path) -> None:
    result = run(project, "scripts/course.py", "status", "--json")
    assert result.returncode == 0, result.stderr
    rows = {
        (p["key"], p["lang"]): (p["state"], p["file"]) for p in json.loads(result.stdout)["pages"]
    }
    assert rows == {
        ("guide", "zh-TW"): ("source", "guide.md"),
        ("guide", "zh-CN"): ("converted", "guide.md"),
        ("guide", "en"): ("fallback", "guide.md"),
        ("guide", "ja"): ("fallback", "guide.md"),
        ("index", "zh-TW"): ("source", "index.md"),
        ("index", "zh-CN"): ("converted", "index.md"),
        ("index", "en"): ("fallback", "index.md"),
        ("index", "ja"): ("translated", "index.ja.md"),
    }


def test_check_knows_the_new_language(project: Path) -> None:
    result = run(project, "scripts/course.py", "check")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    page = project / "docs" / "index.ja.md"
    clean = page.read_text(encoding="utf-8")
    page.write_text(clean + "\n[なし](missing.md)\n", encoding="utf-8")
    try:
        result = run(project, "scripts/course.py", "check")
    finally:
        page.write_text(clean, encoding="utf-8")
    assert result.returncode == 1
    assert (
        "docs/index.ja.md:7:1: broken link: 'missing.md' has no page (looked for missing.md, "
        "missing.zh-CN.md, missing.ja.md) (hint: fix the path or create the page)"
    ) in result.stdout.splitlines()


def test_parity_names_the_new_language(project: Path) -> None:
    page = project / "docs" / "index.ja.md"
    clean = page.read_text(encoding="utf-8")
    page.write_text(clean + "\n## その他\n", encoding="utf-8")
    try:
        result = run(project, "scripts/course.py", "check", "docs/index.ja.md")
    finally:
        page.write_text(clean, encoding="utf-8")
    assert result.returncode == 1, result.stdout
    assert (
        "docs/index.ja.md:1:1: parity with index.md: headings: 3 headings in Japanese, 2 in the "
        "Chinese source (hint: make them match, or declare it: "
        'parity: [{check: headings, reason: "…"}])'
    ) in result.stdout.splitlines(), result.stdout
