"""The importer on excerpts of every seed: pages, merges, idempotence, hand edits."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from llmcourse import importer, mdtext

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
    assert home.startswith("# 🗣️ 大語言模型課程心得\n")
    assert "[Hugging Face](https://huggingface.co/mlabonne)" in home
    assert "<div" not in home


def test_fragment_adds_its_extra_links_in_place(docs: Path) -> None:
    run_import(docs, "seed-004-zh-TW.md", "zh-TW")
    result = run_import(docs, "seed-000-zh-TW.md", "zh-TW")
    assert result.returncode == 0, result.stderr
    text = (docs / "scientist/instruction-datasets.md").read_text("utf-8")
    lines = text.splitlines()
    example = next(i for i, line in enumerate(lines) if "fYyZiRi6yNE" in line)
    assert "Alpaca" in lines[example - 1]  # right after the list item it belongs to
    assert "added from seed-000-zh-TW.md: https://youtu.be/fYyZiRi6yNE" in result.stdout


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
    assert forced.returncode == 0, forced.stderr
    assert "一位貢獻者" not in page.read_text("utf-8")


def test_command_reports_unplaceable_chapter(docs: Path) -> None:
    # seed 000 alone: its chapter has no section heading and no page to match yet
    out, err = io.StringIO(), io.StringIO()
    status = importer.command(
        [str(FIXTURES / "seed-000-zh-TW.md")],
        lang="zh-TW",
        force=False,
        kind="auto",
        docs=str(docs),
        strict=False,
        stdout=out,
        stderr=err,
    )
    assert status == 1
    assert "seed-000-zh-TW.md:" in err.getvalue() and "no section heading" in err.getvalue()
