"""The importer on excerpts of every seed: pages, merges, idempotence, hand edits."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from llmcourse import fsio, importer, mdtext

FIXTURES = Path(__file__).parent / "fixtures" / "import"
COURSE = ROOT / "scripts" / "course.py"


def run_import(docs: Path, source: str, lang: str, *extra: str) -> subprocess.CompletedProcess:
    """`course.py import` as a maintainer runs it."""
    return subprocess.run(
        [
            sys.executable,
            str(COURSE),
            "import",
            str(FIXTURES / source),
            "--lang",
            lang,
            "--docs",
            str(docs),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """An empty docs tree that ships the Colab badge, as the project's does."""
    (tmp_path / "img").mkdir()
    shutil.copy(ROOT / "docs" / "img" / "colab.svg", tmp_path / "img" / "colab.svg")
    return tmp_path


def drop_backups(stderr: str) -> None:
    """Remove the backup folders an import made under the repository's .cache/ (tests only)."""
    for line in stderr.splitlines():
        if "; its text is kept in " in line:
            kept = Path(line.split("; its text is kept in ", 1)[1])
            stamp = kept.relative_to(importer.BACKUP_ROOT).parts[0]
            shutil.rmtree(importer.BACKUP_ROOT / stamp, ignore_errors=True)


def snapshot(docs: Path) -> dict[str, str]:
    return {p.relative_to(docs).as_posix(): p.read_text("utf-8") for p in docs.rglob("*.md")}


def all_seeds(docs: Path) -> None:
    for source, lang in [
        ("seed-004-zh-TW.md", "zh-TW"),
        ("seed-000-zh-TW.md", "zh-TW"),
        ("seed-001-damaged.md", "zh-TW"),
        ("seed-002-zh-CN.md", "zh-CN"),
        ("seed-003-notes.md", "zh-TW"),
    ]:
        result = run_import(docs, source, lang)
        assert result.returncode == 0, result.stderr


def test_course_document_becomes_pages(docs: Path) -> None:
    result = run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    assert result.returncode == 0, result.stderr
    pages = snapshot(docs)
    for rel in [
        "index.md",
        "fundamentals/index.md",
        "fundamentals/math-for-machine-learning.md",
        "scientist/index.md",
        "scientist/llm-architecture.md",
        "scientist/instruction-datasets.md",
        "engineer/running-llms.md",
    ]:
        assert rel in pages, rel
    # chapters the translation left in English become English pages, not Chinese sources
    assert "engineer/inference-optimization.en.md" in pages
    assert "engineer/inference-optimization.md" not in pages
    assert "credits.en.md" in pages
    assert pages["scientist/llm-architecture.md"].startswith("# 1. The LLM 架構\n")
    assert "wrote index.md" in result.stdout


def test_images_work_from_every_page(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    home = (docs / "index.md").read_text("utf-8")
    assert "[![Open In Colab](img/colab.svg)](https://colab.research.google.com/" in home
    assert "<img" not in home
    for path in docs.rglob("*.md"):
        text = path.read_text("utf-8")
        assert "roadmap_" not in text, path  # pictures the seeds do not ship are not linked
        assert "star-history.com" not in text, path  # no third-party images
        for link in mdtext.links(text):
            if link.image and not link.target.startswith("http"):
                assert (path.parent / link.target).resolve().exists(), (path, link.target)


def test_header_becomes_markdown_title_and_links(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    home = (docs / "index.md").read_text("utf-8")
    meta, body, _ = mdtext.split_front_matter(home)
    # the how-to block is asked for by front matter (layout.yml front_matter), not by file name
    assert meta == {"locale_text": {"block": "home_howto", "at": "intro"}}
    assert body.lstrip("\n").startswith("# 🗣️ 大語言模型課程心得\n")
    assert "[Hugging Face](https://huggingface.co/mlabonne)" in home
    assert "<div" not in home


@pytest.mark.slow
def test_fragment_adds_its_extra_links_in_place(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    result = run_import(docs, "seed-000-zh-TW.md", "zh-TW")
    assert result.returncode == 0, result.stderr
    text = (docs / "scientist/instruction-datasets.md").read_text("utf-8")
    lines = text.splitlines()
    example = next(i for i, line in enumerate(lines) if "fYyZiRi6yNE" in line)
    assert "Alpaca" in lines[example - 1]  # right after the list item it belongs to
    assert "added from seed-000-zh-TW.md: https://youtu.be/fYyZiRi6yNE" in result.stdout


@pytest.mark.slow
def test_other_script_fills_gaps_without_switching_script(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    result = run_import(docs, "seed-002-zh-CN.md", "zh-CN")
    assert result.returncode == 0, result.stderr
    pages = snapshot(docs)
    # engineer chapter 5 was English in the zh-TW seed: the zh-CN text is its Chinese source
    assert "engineer/inference-optimization.zh-CN.md" in pages
    assert "推理优化" in pages["engineer/inference-optimization.zh-CN.md"]
    # the zh-TW home keeps its script and gains the notebook row only the zh-CN seed has,
    # converted to Traditional
    assert "index.zh-CN.md" not in pages
    row = next(line for line in pages["index.md"].splitlines() if "LazyAxolotl" in line)
    assert "一鍵在雲上微調模型" in row
    assert "zh-CN/index.md" not in pages and "credits.zh-CN.md" in pages


@pytest.mark.slow
def test_repaired_seed_matches_the_clean_one(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    before = (docs / "scientist/llm-architecture.md").read_text("utf-8")
    result = run_import(docs, "seed-001-damaged.md", "zh-TW")
    assert result.returncode == 0, result.stderr
    after = (docs / "scientist/llm-architecture.md").read_text("utf-8")
    assert "\ufffd" not in after
    assert "ç" not in after and "æ" not in after  # no mojibake left
    # the repaired seed carries references the clean one lacks
    assert len(mdtext.links(after)) > len(mdtext.links(before))
    assert "fullstackdeeplearning.com" in after
    # where the two overlap, the repaired text equals the clean one
    assert "* **標記化 Tokenization**: 了解如何將原始文字資料轉換為模型可以理解的格式" in after


def test_notes_document_split_by_parts(docs: Path) -> None:
    result = run_import(docs, "seed-003-notes.md", "zh-TW")
    assert result.returncode == 0, result.stderr
    pages = snapshot(docs)
    assert set(pages) == {
        "notes/index.md",
        "notes/from-ai-to-llm-basics.md",
        "notes/llm-model-engineering.md",
    }
    index = pages["notes/index.md"]
    assert "](#" not in index  # the hand-written table of contents is replaced by the nav
    assert "## 簡介" in index and "## 相關的更新Blog" in index
    basics = pages["notes/from-ai-to-llm-basics.md"]
    assert basics.startswith("# 從AI到LLM基礎\n")
    assert "<details>" not in basics  # the block that wrapped the whole part is the page
    assert '??? note "點擊以打開可延伸的閱讀以及參考連結：' in basics  # inner ones stay collapsible
    assert "## 1. 機器學習數學基礎" in basics  # headings move up one level under the title


@pytest.mark.slow
def test_import_is_idempotent(docs: Path) -> None:
    all_seeds(docs)
    first = snapshot(docs)
    manifest = (docs / importer.MANIFEST_NAME).read_text("utf-8")
    for source, lang in [
        ("seed-004-zh-TW.md", "zh-TW"),
        ("seed-002-zh-CN.md", "zh-CN"),
        ("seed-001-damaged.md", "zh-TW"),
        ("seed-003-notes.md", "zh-TW"),
    ]:
        result = run_import(docs, source, lang)
        assert result.returncode == 0, result.stderr
        assert "wrote" not in result.stdout, result.stdout
    assert snapshot(docs) == first
    assert (docs / importer.MANIFEST_NAME).read_text("utf-8") == manifest


@pytest.mark.slow
def test_hand_edited_page_is_never_overwritten(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    page = docs / "scientist/llm-architecture.md"
    edited = page.read_text("utf-8") + "\n一位貢獻者加上的段落。\n"
    page.write_text(edited, "utf-8")
    result = run_import(docs, "seed-001-damaged.md", "zh-TW")
    assert result.returncode == 1
    assert "scientist/llm-architecture.md: edited by hand" in result.stderr
    assert page.read_text("utf-8") == edited
    forced = run_import(docs, "seed-001-damaged.md", "zh-TW", "--force")
    drop_backups(forced.stderr)
    assert forced.returncode == 0, forced.stderr
    assert "一位貢獻者" not in page.read_text("utf-8")


def test_command_reports_unplaceable_chapter(docs: Path) -> None:
    # seed 000 alone: its chapter has no section heading and no page to match yet
    status, err = _import(docs, FIXTURES / "seed-000-zh-TW.md")
    assert status == 1
    assert "seed-000-zh-TW.md:" in err and "no section heading" in err


# --------------------------------------------------------------------------- crash safety


def import_cmd(docs: Path, source: str, lang: str, *extra: str) -> list[str]:
    return [sys.executable, str(COURSE), "import", str(FIXTURES / source), "--lang", lang,
            "--docs", str(docs), *extra]  # fmt: skip


def tree(docs: Path) -> dict[str, bytes]:
    """Every file of a docs tree but the lock and the leftovers of a killed write."""
    return {
        p.relative_to(docs).as_posix(): p.read_bytes()
        for p in sorted(docs.rglob("*"))
        if p.is_file() and not p.name.endswith((importer.LOCK_NAME, fsio.TEMP_SUFFIX))
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_consistent(docs: Path) -> dict:
    """The manifest parses, and once recovered describes exactly the pages on disk."""
    json.loads((docs / importer.MANIFEST_NAME).read_text("utf-8"))
    manifest = importer._load_manifest(docs)
    for rel, entry in manifest.items():
        assert set(entry) <= {"source", "sha256", "lossy"}, (rel, entry)
        assert sha((docs / rel).read_bytes()) == entry["sha256"], rel
    return manifest


LOCK = importer.LOCK_NAME


def kill_during(cmd: list[str], lock: Path, delay: float) -> tuple[int | None, float]:
    """Start ``cmd``; once it holds ``lock``, SIGKILL it after ``delay`` seconds.

    Returns the exit status (None when killed) and the seconds it ran while holding the lock.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not lock.exists() and proc.poll() is None:
            time.sleep(0.0002)
        locked_at = time.perf_counter()
        try:
            status: int | None = proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            status = None
        return status, time.perf_counter() - locked_at
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def to_simplified_pages(docs: Path) -> None:
    """Turn every zh-TW page into a zh-CN one, recorded as imported (no hand edit)."""
    manifest = json.loads((docs / importer.MANIFEST_NAME).read_text("utf-8"))
    for rel in [r for r in manifest if not r.endswith((".en.md", ".zh-CN.md"))]:
        text = importer._to_script((docs / rel).read_text("utf-8"), "zh-CN")
        (docs / rel).unlink()
        new = rel.removesuffix(".md") + ".zh-CN.md"
        (docs / new).write_text(text, "utf-8")
        manifest[new] = {**manifest.pop(rel), "sha256": sha(text.encode())}
    (docs / importer.MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")


def calibrate(cmd: list[str], docs: Path) -> tuple[float, float]:
    """Run ``cmd`` to the end: seconds from taking the lock to its first write, and to exit.

    Only used to aim the kills (the first write is the journal entry in the manifest).
    """
    manifest = docs / importer.MANIFEST_NAME
    ident = manifest.stat().st_ino
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (docs / LOCK).exists() and proc.poll() is None:
        time.sleep(0.0002)
    locked_at = time.perf_counter()
    first = None
    while proc.poll() is None:
        if first is None and manifest.stat().st_ino != ident:
            first = time.perf_counter() - locked_at
        time.sleep(0.0002)
    assert proc.returncode == 0
    end = time.perf_counter() - locked_at
    return (first if first is not None else 0.0), end


SCENARIOS = {
    # merges into existing zh-TW pages and adds zh-CN ones
    "merge": (("seed-004-zh-TW.md", "zh-TW"), None, ("seed-002-zh-CN.md", "zh-CN")),
    # the same source again with an upstream revision: every chapter page is rewritten
    "update": (
        ("seed-004-zh-TW.md", "zh-TW"),
        None,
        ("seed-004-zh-TW.md", "zh-TW", "--upstream", "0123abc"),
    ),
    # --force over zh-CN pages: each zh-TW page is written, then its zh-CN page removed
    "cross-script": (
        ("seed-004-zh-TW.md", "zh-TW"),
        to_simplified_pages,
        ("seed-004-zh-TW.md", "zh-TW", "--force"),
    ),
}
KILLS_PER_SCENARIO = 16
RERUN_EVERY = 4  # every fourth killed import is run again to the end


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.slow
def test_import_killed_at_random_points(scenario: str, tmp_path: Path) -> None:
    """SIGKILL at random moments while the import holds its lock: every page is whole, old or
    new, and no page is removed before its successor is written; the manifest parses and,
    recovered, matches the pages; the import run again gives the tree of an uninterrupted one.
    """
    setup, prepare, final = SCENARIOS[scenario]
    base = tmp_path / "base"
    (base / "img").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "img" / "colab.svg", base / "img" / "colab.svg")
    assert run_import(base, *setup).returncode == 0
    if prepare:
        prepare(base)
    (base / importer.LOCK_NAME).unlink()
    before = tree(base)

    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    first_write, window = calibrate(import_cmd(reference, *final), reference)
    after = tree(reference)
    pages = {rel for rel in {*before, *after} if before.get(rel) != after.get(rel)}
    pages.discard(importer.MANIFEST_NAME)
    moved = {  # zh-CN page -> the zh-TW page written before it is removed
        rel: rel.replace(".zh-CN.md", ".md")
        for rel in before
        if rel not in after and rel.replace(".zh-CN.md", ".md") in after
    }
    assert len(moved) == (8 if scenario == "cross-script" else 0)

    rng = random.Random(11)
    delays = [rng.uniform(0.8 * first_write, 0.9 * window) for _ in range(KILLS_PER_SCENARIO)]

    def attempt(i: int) -> tuple[int | None, int]:
        work = tmp_path / f"kill-{i}"
        shutil.copytree(base, work)
        status, _ = kill_during(import_cmd(work, *final), work / LOCK, delays[i])
        now = tree(work)
        for rel in pages:
            assert now.get(rel) in (before.get(rel), after.get(rel)), f"kill {i}: {rel} is torn"
        for old, new in moved.items():
            assert old in now or new in now, f"kill {i}: {old} removed before {new} was written"
        assert_consistent(work)
        if i % RERUN_EVERY == 0 or status is not None:
            assert run_import(work, *final).returncode == 0
            assert tree(work) == after, f"kill {i}: the import run again differs"
            assert not list(work.rglob(f"*{fsio.TEMP_SUFFIX}")), f"kill {i}: leftovers"
        shutil.rmtree(work)
        return status, sum(now.get(rel) == after.get(rel) for rel in pages)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(attempt, range(KILLS_PER_SCENARIO)))
    done = [n for status, n in results if status is None]
    mid = [n for n in done if 0 < n < len(pages)]
    print(
        f"\n{scenario}: {len(pages)} pages change between {first_write * 1000:.0f} and "
        f"{window * 1000:.0f} ms after the lock is taken; "
        f"{len(done)}/{len(results)} imports killed, {len(mid)} of them mid-write "
        f"(pages already new: {sorted(done)})"
    )


@pytest.mark.slow
def test_two_imports_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two processes started together into one docs folder: the manifest has both."""
    sources = [("seed-004-zh-TW.md", "zh-TW"), ("seed-003-notes.md", "zh-TW")]
    expected: dict[str, dict] = {}
    for source in sources:
        alone = tmp_path / source[0]
        alone.mkdir()
        assert run_import(alone, *source).returncode == 0
        expected.update(json.loads((alone / importer.MANIFEST_NAME).read_text("utf-8")))
    for round_ in range(4):
        docs = tmp_path / f"together-{round_}"
        docs.mkdir()
        procs = [
            subprocess.Popen(import_cmd(docs, *s), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for s in sources
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err.decode()
        assert json.loads((docs / importer.MANIFEST_NAME).read_text("utf-8")) == expected
        assert assert_consistent(docs) == expected


@pytest.mark.slow
def test_force_keeps_a_backup_of_hand_edits(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    page = docs / "scientist/llm-architecture.md"
    edited = page.read_text("utf-8") + "\n一位貢獻者加上的段落。\n"
    page.write_text(edited, "utf-8")
    os.chmod(page, 0o640)
    forced = run_import(docs, "seed-001-damaged.md", "zh-TW", "--force")
    assert forced.returncode == 0, forced.stderr
    (line,) = [line for line in forced.stderr.splitlines() if "kept in" in line]
    backup = Path(line.split("kept in ", 1)[1])
    try:
        assert line.startswith("scientist/llm-architecture.md: edited by hand, replaced;")
        assert backup.is_relative_to(importer.BACKUP_ROOT)
        assert backup.as_posix().endswith("/scientist/llm-architecture.md")
        assert backup.read_text("utf-8") == edited
        assert "一位貢獻者" not in page.read_text("utf-8")
        assert stat.S_IMODE(page.stat().st_mode) == 0o640  # the atomic write keeps the mode
    finally:
        drop_backups(forced.stderr)


@pytest.mark.slow
def test_cross_script_import_replaces_the_other_script(docs: Path) -> None:
    assert run_import(docs, "seed-004-zh-TW.md", "zh-TW").returncode == 0
    to_simplified_pages(docs)
    result = run_import(docs, "seed-004-zh-TW.md", "zh-TW", "--force")
    assert result.returncode == 0, result.stderr
    assert "kept in" not in result.stderr  # nothing was edited by hand: no backup
    pages = snapshot(docs)
    assert "scientist/llm-architecture.md" in pages
    assert "scientist/llm-architecture.zh-CN.md" not in pages
    manifest = json.loads((docs / importer.MANIFEST_NAME).read_text("utf-8"))
    assert set(manifest) == set(pages)
    assert not list(docs.rglob(f"*{fsio.TEMP_SUFFIX}"))


def test_corrupt_manifest_is_reported_with_its_position(docs: Path) -> None:
    (docs / importer.MANIFEST_NAME).write_text('{\n  "index.md": {,\n}\n', "utf-8")
    result = run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    assert result.returncode == 1
    assert f"{docs / importer.MANIFEST_NAME}:2:16: the import manifest is not valid JSON" in (
        result.stderr
    )
    assert not (docs / "index.md").exists()


def test_a_part_continued_under_a_second_heading_keeps_both_texts() -> None:
    text = (
        "# 學習筆記\n\n## LLM應用工程\n\n- [第一部分的連結](https://one.example/)\n\n"
        "## LLM應用工程（續）\n\n- [續篇的連結](https://two.example/)\n"
    )
    pages = {c.key: c.text for c in importer.parse_notes(text, "notes.md")}
    assert pages["notes/llm-application-engineering"] == (
        "# LLM應用工程\n\n- [第一部分的連結](https://one.example/)\n\n"
        "## LLM應用工程（續）\n\n- [續篇的連結](https://two.example/)\n"
    )


def test_a_chapter_number_given_twice_keeps_both_titles_and_texts() -> None:
    text = (
        "# 課程\n\n## 🧩 LLM 基礎\n\n### 1. 數學\n\n第一段。\n\n### 1. 數學（重複）\n\n第二段。\n"
    )
    pages = {c.key: c.text for c in importer.parse_course(text, "course.md", {})}
    assert pages["fundamentals/math-for-machine-learning"] == (
        "# 1. 數學\n\n第一段。\n\n## 1. 數學（重複）\n\n第二段。\n"
    )


def _import(docs: Path, source: str | Path) -> tuple[int, str]:
    """`course.py import SOURCE --lang zh-TW` in this process: (exit status, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = importer.command(
        [str(source)],
        lang="zh-TW",
        force=False,
        kind="auto",
        docs=str(docs),
        strict=False,
        stdout=out,
        stderr=err,
    )
    return status, err.getvalue()


def test_a_page_in_docs_that_is_not_utf8_is_named_at_its_byte(docs: Path) -> None:
    (docs / "guide.md").write_bytes("# 指南\n\n第一行。".encode() + b"\xff\n")
    status, err = _import(docs, FIXTURES / "seed-004-zh-TW.md")
    assert status == 1
    assert f"{docs / 'guide.md'}:3:5: not valid UTF-8 (byte 0xff): repair the page first" in err
    assert "Traceback" not in err


def test_a_manifest_entry_of_the_wrong_shape_is_named_at_its_line(docs: Path) -> None:
    (docs / importer.MANIFEST_NAME).write_text('{\n  "index.md": {"pending": 5}\n}\n', "utf-8")
    status, err = _import(docs, FIXTURES / "seed-004-zh-TW.md")
    assert status == 1
    assert f"{docs / importer.MANIFEST_NAME}:2:3: the import manifest's entry for 'index.md'" in err


def test_a_device_is_refused_not_read_for_ever(docs: Path) -> None:
    status, err = _import(docs, "/dev/zero")
    assert (status, err) == (1, "/dev/zero: /dev/zero: not a regular file\n")


def test_docs_that_is_a_file_is_reported_without_a_traceback(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.write_text("not a folder\n", "utf-8")
    status, err = _import(docs, FIXTURES / "seed-004-zh-TW.md")
    assert status == 1
    assert err.startswith(f"{FIXTURES / 'seed-004-zh-TW.md'}: cannot write the pages into {docs}: ")


def test_short_pages_of_an_english_document_declared_chinese_become_english(docs: Path) -> None:
    source = docs.parent / "english.md"
    source.write_text(
        "# The LLM course\n\nThe LLM course is divided into three parts, each with its own "
        "set of chapters, notebooks and articles, so that readers can pick the part they "
        "need and learn it at their own pace.\n\n## 🧩 LLM Fundamentals\n\n"
        "### 1. Mathematics for Machine Learning\n\nLinear algebra and calculus.\n",
        "utf-8",
    )
    status, _ = _import(docs, source)
    assert status == 0
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md")) == [
        "fundamentals/index.en.md",
        "fundamentals/math-for-machine-learning.en.md",
        "index.en.md",
    ]
