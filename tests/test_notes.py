"""Notes pages read at once: headed sections, only asides collapsed, an outline in order.

The learning notes (seed 003) fold each part's whole body into a ``<details>`` box with a
"click to open" summary and nest further-reading boxes inside it.  The importer unwraps a
box that holds headings and keeps a box without headings as a ``??? note`` aside;
``seed-003-folded.md`` is an excerpt of the seed in its real shape (nested boxes, ``<br>``
after them, a numbered run restarting below 4.1, a list item right above a ``---`` rule).
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from llmcourse import importer, mdtext

FOLDED = ROOT / "tests" / "fixtures" / "import" / "seed-003-folded.md"
NOTES = ROOT / "docs" / "notes"
STRUCTURE = re.compile(
    r'^(?:\?\?\?\+? note "(?P<note>.*)"|<details>|</details>|<summary>(?P<summary>.*)</summary>'
    r"|</?br\s*/?>|-{3,}|\*{3,}|_{3,})$"
)


def prose(text: str) -> tuple[list[str], list[str]]:
    """A page's text without its structure: its lines, and the summaries of its boxes.

    Heading marks, indentation, box openers and closers, ``<br>`` spacing lines, rules and
    blank lines are structure; every other character is prose.
    """
    lines, summaries = [], []
    for line in text.splitlines():
        s = line.strip()
        m = STRUCTURE.match(s)
        if m:
            label = m.group("note") if m.group("note") is not None else m.group("summary")
            if label is not None:
                summaries.append(label.replace("'", '"'))
            continue
        s = re.sub(r"^#{1,6}\s+", "", s)
        if s:
            lines.append(s)
    return lines, summaries


def part(text: str, title: str) -> str:
    """The lines of one H2 part of a notes document, its heading included."""
    sections = re.split(r"(?m)^(?=## )", text)
    return next(s for s in sections if s.startswith(f"## {title}"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    docs = tmp_path_factory.mktemp("docs")
    outcome = importer.import_text(FOLDED.read_text("utf-8"), FOLDED.name, "zh-TW", docs=docs)
    assert not outcome.refused, outcome.refused
    return {p.relative_to(docs).as_posix(): p.read_text("utf-8") for p in docs.rglob("*.md")}


def outline(text: str, *, rendered: bool = False) -> list[tuple[int, str]]:
    body = mdtext.split_front_matter(text)[1]
    return [(h.level, h.text) for h in mdtext.headings(body, rendered=rendered)]


def test_folded_part_becomes_headed_sections(imported: dict[str, str]) -> None:
    page = imported["notes/from-ai-to-llm-basics.md"]
    assert outline(page, rendered=True) == [
        (1, "從AI到LLM基礎"),
        (2, "1. 機器學習數學基礎"),
        (2, "2. AI簡介"),
        (3, "4.1 電腦視覺(CV)"),
        (4, "1. **卷積神經網絡 (CNN) 基礎**"),  # was a level above 4.1: now its children
        (4, "2. **圖像分類與識別**"),
        (3, "4.2 自然語言處理(NLP)"),
    ]
    assert "<details" not in page and "點擊以打開詳細內容" not in page
    aside = page.index('??? note "點擊以打開可延伸的閱讀以及參考連結："\n\n    </br>\n')
    assert page.index("    - [Khan Academy - 機率與統計]") > aside
    assert not page.rstrip().endswith("<br>")


def test_rule_below_a_list_item_stays_a_rule(imported: dict[str, str]) -> None:
    page = imported["notes/llm-model-engineering.md"]
    # without a blank line Python-Markdown makes "- [Sora…]" a level-2 heading
    assert (
        outline(page, rendered=True)
        == outline(page)
        == [
            (1, "深入LLM模型工程與LLM運維"),
            (2, "LLM 簡介與架構"),
            (3, "1. **簡介**"),
            (4, "7.5 **多模態模型 Multimodal models**:"),
            (2, "2. 構建或選擇資料集"),
        ]
    )
    assert (
        "(https://blog.csdn.net/v_JULY_v/article/details/136143475?spm=1000.2115.3001.5927)\n\n---\n"
        in page
    )


@pytest.mark.parametrize(
    ("title", "key"),
    [("從AI到LLM基礎", "from-ai-to-llm-basics"), ("深入LLM模型工程", "llm-model-engineering")],
)
def test_restructuring_keeps_every_word(imported: dict[str, str], title: str, key: str) -> None:
    """Only structure changes: the prose is the source's, line for line; the one summary that
    goes is the "click to open" prompt of the box that held the whole part."""
    source_lines, source_summaries = prose(part(FOLDED.read_text("utf-8"), title))
    page_lines, page_summaries = prose(imported[f"notes/{key}.md"])
    assert page_lines == source_lines
    assert source_summaries[0] == "點擊以打開詳細內容"
    assert page_summaries == source_summaries[1:]


def test_unpaired_details_tags_are_left_alone() -> None:
    body = "text\n<details>\n<summary>more</summary>\n\n### inside\n"
    assert importer._details_to_blocks(body) == body


NOTE_PAGES = sorted(p.name for p in NOTES.glob("*.md"))


@pytest.mark.parametrize("name", NOTE_PAGES)
def test_notes_page_outline_is_what_the_toc_shows(name: str) -> None:
    """Every heading of a notes page is a real heading (none swallowed by raw HTML, none made
    by a setext accident) and the outline never skips a level, so the TOC nests in order."""
    text = (NOTES / name).read_text("utf-8")
    assert "<details" not in text.lower()
    headings = outline(text, rendered=True)
    assert headings == outline(text)
    levels = [level for level, _ in headings]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize("name", [n for n in NOTE_PAGES if n.endswith(".en.md")])
def test_english_notes_follow_their_source_outline(name: str) -> None:
    english = outline((NOTES / name).read_text("utf-8"))
    source = outline((NOTES / name.replace(".en.md", ".md")).read_text("utf-8"))
    assert [level for level, _ in english] == [level for level, _ in source]
