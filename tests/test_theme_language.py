"""The theme's own text in the reader's language, one tab-title scheme, and "edit this page".

The English UI strings come from the installed packages (Material's en table, the toc
extension's tooltip, Material's copyright line, mkdocs-jupyter's copy button:
llmcourse.theme_text.english_ui_strings), never typed here: when an upgrade adds a string,
the scan knows it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_fixture_sites import build

from conftest import LANG_PREFIX
from llmcourse import locales
from llmcourse.theme_text import english_ui_strings

pytestmark = pytest.mark.slow  # the built course site and fixture builds

#: theme markup inside the article: heading links, copy buttons, edit links, our reader parts
THEME_IN_CONTENT = (
    "a.headerlink, clipboard-copy, .md-content__button, .md-source-file, "
    "[class^='reader-'], [class*=' reader-']"
)
#: content outside the article: the table of contents repeats the page's headings
CONTENT_OUTSIDE = ".md-sidebar--secondary .md-nav__link"
#: never text: code (Pygments writes `in` as a span), scripts, styles
NOT_TEXT = ["pre", "code", "script", "style", "svg"]
#: attributes a reader meets (tooltips, labels); data-* too, which scripts show, but not
#: Material's data-md-* settings (data-md-toggle="search" is a name, not text)
READABLE = {"title", "aria-label", "placeholder", "alt", "aria-description", "value"}


def theme_english(html: str) -> list[str]:
    """Every English UI string in the theme's part of a page: '<where>: <string>'."""
    soup = BeautifulSoup(html, "html.parser")
    english = english_ui_strings()
    for tag in soup.select(", ".join(NOT_TEXT)):
        tag.decompose()
    article = soup.select_one("article.md-content__inner")
    theme_parts = article.select(THEME_IN_CONTENT) if article else []
    for part in theme_parts:
        part.extract()  # keep the theme's pieces, drop the page's own text
    if article:
        article.clear()
    for link in soup.select(CONTENT_OUTSIDE):
        link.clear()
    found = []
    for root in [soup, *theme_parts]:
        for el in [root, *root.find_all(True)]:
            for name, value in el.attrs.items():
                readable = name in READABLE or name.startswith("data-") and "-md-" not in name
                if readable and isinstance(value, str) and " ".join(value.split()) in english:
                    found.append(f"<{el.name} {name}>: {value.strip()}")
        for text in root.find_all(string=True):
            if " ".join(text.split()) in english:
                found.append(f"<{text.parent.name}> text: {text.strip()}")
    return found


def pages(site: Path, lang: str) -> list[Path]:
    """Every HTML page of a language: zh-CN/ and en/ are their own, the rest is zh-TW."""
    if lang != "zh-TW":
        return sorted((site / LANG_PREFIX[lang]).rglob("*.html"))
    others = [site / LANG_PREFIX[x].rstrip("/") for x in LANG_PREFIX if x != "zh-TW"]
    return sorted(
        p
        for p in site.rglob("*.html")
        if not any(p.is_relative_to(o) for o in others)
        and not p.relative_to(site).as_posix().startswith(("assets/", "pagefind/"))
    )


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_no_english_theme_text_on_chinese_pages(site: Path, lang: str) -> None:
    checked = pages(site, lang)
    assert len(checked) > 30  # every page, notebooks and the 404 page included
    found = {}
    for path in checked:
        html = path.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html, path
        if hits := theme_english(html):
            found[path.relative_to(site).as_posix()] = hits
    assert not found, found


def test_the_scan_sees_the_theme_english_of_english_pages(site: Path) -> None:
    """The same scan over English pages finds the strings it hunts on Chinese ones."""
    home = theme_english((site / "en" / "index.html").read_text(encoding="utf-8"))
    assert "<a title>: Permanent link" in home  # a heading link, inside the article
    assert "<div> text: Made with" in home  # the footer
    assert "<button> text: Back to top" in home
    notebook = (site / "en" / "notebooks" / "attention" / "index.html").read_text("utf-8")
    assert "<clipboard-copy aria-label>: Copy to clipboard" in theme_english(notebook)


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_one_tab_title_scheme_per_language(site: Path, lang: str) -> None:
    """Home pages: the site's name; other pages: 'page - site', in every language."""
    name = locales.load(lang)["site_name"]
    prefix = site / LANG_PREFIX[lang]
    home = BeautifulSoup((prefix / "index.html").read_text("utf-8"), "html.parser")
    assert home.title.get_text(strip=True) == name
    for page in ("engineer/vector-storage", "notes/from-ai-to-llm-basics", "notebooks/attention"):
        soup = BeautifulSoup((prefix / page / "index.html").read_text("utf-8"), "html.parser")
        h1 = soup.select_one("article h1")
        heading = "".join(h1.find_all(string=True, recursive=False)).strip()
        assert soup.title.get_text(strip=True) == f"{heading} - {name}", page


def test_no_edit_link_while_the_repository_is_unknown(site: Path) -> None:
    """Local builds keep the OWNER/REPO placeholder: no page links to a made-up repository."""
    for lang in LANG_PREFIX:
        page = (site / LANG_PREFIX[lang] / "index.html").read_text("utf-8")
        assert "reader-source" not in page and 'rel="edit"' not in page


EDIT = "https://github.com/example/course/edit/trunk/docs/"


@pytest.fixture(scope="module")
def fallback_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `fallback` fixture site as the deploy workflow builds it, with its repository."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NOTEBOOKS_GITHUB", "example/course")
        env.setenv("NOTEBOOKS_BRANCH", "trunk")
        return build(tmp_path_factory.mktemp("edit"), "fallback")


@pytest.mark.parametrize(
    "page,file,note",
    [
        # zh-TW source: its own file, no note
        ("guide", "guide.md", None),
        # zh-CN made from it: the zh-TW source, and a note in Simplified Chinese saying so
        ("zh-CN/guide", "guide.md", "本页由繁体中文源文件 docs/guide.md 自动转换为简体中文"),
        # zh-TW made from a zh-CN source
        ("simplified", "simplified.zh-CN.md", "本頁由簡體中文原始檔 docs/simplified.zh-CN.md"),
        ("zh-CN/simplified", "simplified.zh-CN.md", None),
        # English falling back to the Chinese source: that file, and the English one to add
        (
            "en/guide",
            "guide.md",
            "This page has no English translation yet: it shows its Chinese source, "
            "docs/guide.md. An English page is welcome: translate it into docs/guide.en.md.",
        ),
        ("en/simplified", "simplified.zh-CN.md", "translate it into docs/simplified.en.md"),
        # a translated English page: its own .en file
        ("en", "index.en.md", None),
    ],
)
def test_edit_link_goes_to_the_file_to_change(
    fallback_site: Path, page: str, file: str, note: str | None
) -> None:
    soup = BeautifulSoup((fallback_site / page / "index.html").read_text("utf-8"), "html.parser")
    aside = soup.select_one("article aside.reader-source")
    assert aside.select_one("a[rel=edit]")["href"] == EDIT + file
    assert soup.select_one("a.md-content__button[rel=edit]")["href"] == EDIT + file
    text = re.sub(r"\s+", " ", aside.get_text(" ", strip=True))
    lang = soup.html["lang"]
    assert text.startswith(locales.text(lang, "edit", "link"))
    if note is None:
        assert not aside.select(".reader-source__note")
    else:
        assert note in aside.select_one(".reader-source__note").get_text()


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_benchmarks_table_is_chinese_on_chinese_pages(site: Path, lang: str) -> None:
    """Only the names bench.keep lists (tools, units, files) stay in Latin letters."""
    page = site / LANG_PREFIX[lang] / "about" / "benchmarks" / "index.html"
    table = BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("article table")
    for code in table.select("code"):
        code.decompose()
    rows = table.select("tr")
    assert len(rows) > 40
    words = {w.rstrip("/.") for w in re.findall(r"[A-Za-z][\w./'-]*", table.get_text(" "))}
    assert words - set(locales.load("zh-TW")["bench"]["keep"]) == set()


def test_benchmarks_pages_hold_one_run_in_two_languages() -> None:
    """The zh-TW table is the English page's rows put into Chinese (llmcourse.bench_text)."""
    from llmcourse import DOCS, bench_text

    english = (DOCS / "about" / "benchmarks.en.md").read_text("utf-8")
    chinese = (DOCS / "about" / "benchmarks.md").read_text("utf-8")
    rows, machine, when = bench_text.parse(english)
    assert ("full build, 3 languages, with hooks", rows[0][1]) == rows[0]
    assert bench_text.block(rows, machine, when, "zh-TW") in chinese
    assert bench_text.block(rows, machine, when, "en") in english


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_skip_link_says_where_it_goes(site: Path, lang: str) -> None:
    """The skip link is our ui.action.skip (Material's Chinese says only "jump to")."""
    home = site / ("" if lang == "zh-TW" else "zh-CN") / "index.html"
    link = BeautifulSoup(home.read_text(encoding="utf-8"), "html.parser").select_one("a.md-skip")
    assert link.get_text(strip=True) == locales.load(lang)["ui"]["action.skip"]
