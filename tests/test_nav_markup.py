"""The sidebar's markup: Material's navigation item, without the template's whitespace
(overrides/partials/nav-item.html), on the built pages."""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest
from bs4 import BeautifulSoup, NavigableString

from conftest import ROOT

OURS = ROOT / "overrides" / "partials" / "nav-item.html"
MATERIAL = Path(material.__file__).parent / "templates" / "partials" / "nav-item.html"
LEADING_COMMENT = re.compile(r"\A\{#-.*?-#\}\n", re.S)
LINE_BREAK = re.compile(r"\n[ \t]*")


def _body(path: Path) -> str:
    """A template without its leading comment (ours explains the override, Material's says
    it is generated)."""
    return LEADING_COMMENT.sub("", path.read_text(encoding="utf-8"), count=1)


def _markup(source: str) -> str:
    """The template as one line, whitespace control taken out: what it writes, tag for tag."""
    source = re.sub(r"\{([%{])-", r"{\1", source)
    source = re.sub(r"-([%}])\}", r"\1}", source)
    return LINE_BREAK.sub("", source)


def test_override_is_materials_template_with_whitespace_control() -> None:
    """Only the dashes and joined lines differ: a new Material version that changes its
    navigation item fails here until the override follows it."""
    assert _markup(_body(OURS)) == _markup(_body(MATERIAL))


def test_no_line_break_of_the_override_reaches_the_page() -> None:
    """Every line break (and the indentation after it) is next to a tag that strips it."""
    body = _body(OURS)
    kept = [
        body.count("\n", 0, m.start()) + 1
        for m in LINE_BREAK.finditer(body)
        if not body[: m.start()].endswith(("-%}", "-}}"))
        and not body[m.end() :].startswith(("{%-", "{{-"))
        and m.end() < len(body)
    ]
    assert kept == []


def _nav(site: Path, key: str) -> tuple[str, BeautifulSoup]:
    html = (site / key / "index.html").read_text(encoding="utf-8")
    return html, BeautifulSoup(html, "html.parser").select_one("nav.md-nav--primary")


@pytest.mark.slow  # the built course site
def test_a_pruned_track_is_one_link_to_its_overview(site: Path) -> None:
    html, nav = _nav(site, "engineer/vector-storage")
    assert (
        '<li class="md-nav__item md-nav__item--pruned md-nav__item--nested">'
        '<a href="../../scientist/" class="md-nav__link">'
        '<span class="md-ellipsis">🧑\u200d🔬 LLM 模型工程</span>'
        '<span class="md-nav__icon md-icon"></span></a></li>'
    ) in html
    assert [li.a["href"] for li in nav.select("li.md-nav__item--pruned")] == [
        "../../fundamentals/",
        "../../scientist/",
        "../../notes/",
        "../../notebooks/quantization/",
        "../../credits/",
    ]


@pytest.mark.slow  # the built course site
def test_the_pages_track_stays_expanded(site: Path) -> None:
    """The track of the page: its toggle checked, its list open, its overview and chapters
    in order, the page itself active with its table of contents."""
    _, nav = _nav(site, "notes/llm-model-engineering")
    (track,) = nav.select("li.md-nav__item--active.md-nav__item--nested")
    assert track.input["id"] == "__nav_5"
    assert track.input.has_attr("checked")
    assert track.select_one(":scope > div > a")["href"] == "../"
    label = track.select_one(":scope > div > label")
    assert (label["for"], label["tabindex"]) == ("__nav_5", "0")
    inner = track.select_one(":scope > nav")
    assert (inner["aria-expanded"], inner["aria-labelledby"]) == ("true", "__nav_5_label")
    chapters = [a["href"] for a in inner.select(":scope > ul > li > a.md-nav__link")]
    assert chapters == ["../from-ai-to-llm-basics/", "./", "../llm-application-engineering/"]
    (active,) = inner.select(":scope > ul > li.md-nav__item--active")
    assert active.select_one(":scope > label.md-nav__link--active")["for"] == "__toc"
    assert (
        active.select_one(":scope > a.md-nav__link--active").get_text(strip=True)
        == "深入LLM模型工程與LLM運維"
    )
    assert active.select_one(":scope > nav.md-nav--secondary") is not None


@pytest.mark.slow  # the built course site
def test_navigation_items_carry_no_template_whitespace(site: Path) -> None:
    """Inside the items only markup and titles. The whitespace left is Material's toc.html,
    the page's table of contents (in it, and around it in the page's item), and nav.html's,
    between the top-level items."""
    _, nav = _nav(site, "notes/llm-model-engineering")
    (page,) = nav.select("li:has(> nav.md-nav--secondary)")
    blank = [
        text
        for item in nav.select(":scope > ul > li")
        for text in item.find_all(string=True)
        if isinstance(text, NavigableString)
        and not text.strip()
        and text.parent is not page
        and text.find_parent("nav", class_="md-nav--secondary") is None
    ]
    assert blank == []
