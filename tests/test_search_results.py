"""What the site's search box finds, on a real index: the built site served from localhost and
queried in Chromium through its own UI (search-ui.js on Pagefind), every result listed.

- A Chinese query finds exactly the pages of its language whose indexed text holds it.
- A query with a word the site does not hold finds nothing.
- A page's notices (outdated or untranslated translation) are not searched.
- A Chinese result shows the page's title and text as written (the index has its Han
  characters apart).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_fixture_sites import build, outdated_history

from conftest import serving
from llmcourse import search

pytestmark = pytest.mark.slow  # builds the site, runs Chromium

HOME = {"zh-TW": "", "zh-CN": "zh-CN/", "en": "en/"}


def indexed_text(site: Path, lang: str) -> dict[str, str]:
    """Each page of a language (its path) → the text Pagefind indexes of it: its article
    without what search.EXCLUDE_SELECTORS and data-pagefind-ignore leave out."""
    texts = {}
    for path in sorted(site.rglob(search.PAGE_FILE)):
        relative = path.relative_to(site)
        if search.BUNDLE in relative.parts:
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = page.select_one(search.ROOT_SELECTOR)
        if page.html.get("lang") != lang or article is None:
            continue
        if article.get("data-pagefind-ignore") == "all":
            continue
        for element in article.select(
            ",".join([*search.EXCLUDE_SELECTORS, "[data-pagefind-ignore]"])
        ):
            element.decompose()
        folder = relative.parent.as_posix()
        texts["/" if folder == "." else f"/{folder}/"] = article.get_text()
    return texts


def searched(browser, site: Path, lang: str, queries: list[str]) -> dict[str, list]:
    """Each query typed into the search box of the language's home page: its results (page
    path, title, excerpt and the excerpt's marked words), every one of them (the "more
    results" button pressed until it goes)."""
    out = {}
    with serving(site) as base:
        page = browser.new_page()
        failures: list[str] = []
        page.on("pageerror", lambda e: failures.append(str(e)))
        page.on("console", lambda m: "Search" in m.text and failures.append(m.text))
        page.goto(base + HOME[lang])
        page.locator("body").press("/")
        for query in queries:
            page.locator(".reader-search input[name=query]").fill(query)
            page.wait_for_function(
                "q => document.querySelector('.reader-search__results').dataset.query === q",
                arg=query,
                timeout=20000,
            )
            page.wait_for_function(
                """() => {
                    const more = document.querySelector('.reader-search__more')
                    if (!more.hidden) more.click()
                    return more.hidden
                }""",
                polling=200,
                timeout=60000,
            )
            out[query] = page.locator(".reader-search__results > li > a:first-child").evaluate_all(
                """links => links.map(a => [
                    new URL(a.href).pathname,
                    a.querySelector('h1').textContent,
                    a.querySelector('p') ? a.querySelector('p').textContent : '',
                    Array.from(a.querySelectorAll('mark'), m => m.textContent)])"""
            )
        page.close()
    assert failures == []
    return out


#: Queries and their words as Chromium's Intl.Segmenter cuts them (as Pagefind and search-ui.js
#: do): a page is a result where each word stands, its characters in a row.
CHINESE = {
    "zh-TW": {
        "資料": ["資料"],
        "資料集": ["資料集"],
        "模型": ["模型"],
        "向量資料庫": ["向量", "資料庫"],
        "指令資料集": ["指令", "資料集"],
    },
    "zh-CN": {
        "数据": ["数据"],
        "模型": ["模型"],
        "数据库": ["数据", "库"],
        "向量数据库": ["向量", "数据", "库"],
    },
}


def glued(words: list[str]) -> list[str]:
    """The words search-ui.js asks for: a word of one Han character joined to the word before
    it (the queries here have their words touching, no spaces)."""
    out: list[str] = []
    for word in words:
        if out and (len(word) == 1 or len(out[-1]) == 1) and search.HAN.match(word[0]):
            out[-1] += word
        else:
            out.append(word)
    return out


def segmented(browser, lang: str, queries: list[str]) -> dict[str, list[str]]:
    page = browser.new_page()
    words = page.evaluate(
        """([lang, queries]) => Object.fromEntries(queries.map(q => [q, Array.from(
            new Intl.Segmenter(lang, {granularity: 'word'}).segment(q), s => s.segment)]))""",
        [lang, queries],
    )
    page.close()
    return words


@pytest.mark.parametrize("lang", list(CHINESE))
def test_a_chinese_query_finds_every_page_that_holds_it(browser, site: Path, lang: str) -> None:
    """資料 on zh-TW found 1 page of the 23 that hold it (Pagefind's segmenter cut the
    Traditional pages into single characters, the browser's the query into words); 数据库 on
    zh-CN, cut 数据|库, found 16 pages with 数据 and 库 anywhere: a word of one character is
    asked for with the word it touches."""
    queries = list(CHINESE[lang])
    assert segmented(browser, lang, queries) == CHINESE[lang]
    texts = indexed_text(site, lang)
    found = searched(browser, site, lang, queries)
    for query, words in CHINESE[lang].items():
        holding = {path for path, text in texts.items() if all(w in text for w in glued(words))}
        assert holding  # the query is of the site
        assert sorted(path for path, *_ in found[query]) == sorted(holding), query
        # excerpts mark the query's words whole, not each character Pagefind matched
        marked = {mark for *_, marks in found[query] for mark in marks}
        assert marked and marked <= set(glued(words)), (query, marked)
    if lang == "zh-CN":  # what gluing is for: 数据 and 库 apart on pages without 数据库
        assert any("数据" in t and "库" in t and "数据库" not in t for t in texts.values())


@pytest.mark.parametrize("lang", list(HOME))
def test_a_word_the_site_does_not_hold_finds_nothing(browser, site: Path, lang: str) -> None:
    """Pagefind matches a word it does not hold by the longest word of the index that it begins
    with (xyzzyqq by x, in notebook code): no result at all, alone or beside a found word."""
    queries = ["xyzzyqq", "qwertzuiopasd", "模型 xyzzyqq" if lang != "en" else "model xyzzyqq"]
    texts = "\n".join(indexed_text(site, lang).values()).lower()
    assert not any(word in texts for word in ("xyzzyqq", "qwertzuiopasd"))
    assert searched(browser, site, lang, queries) == {query: [] for query in queries}


def test_notices_are_not_searched(browser, tmp_path: Path) -> None:
    """The outdated notice of an English page is not its text: "translation" (only the notice
    says it) finds nothing."""
    site = build(tmp_path, "outdated", outdated_history)
    guide = (site / "en" / "guide" / "index.html").read_text(encoding="utf-8")
    assert "this translation may be out of date" in guide  # the notice is on the page
    assert searched(browser, site, "en", ["translation", "guide"]) == {
        "translation": [],
        "guide": [["/en/guide/", "Guide", "Guide. The first version of the text.", ["Guide"]]],
    }


@pytest.mark.parametrize(("lang", "query"), [("zh-TW", "陳希孺"), ("zh-CN", "陈希孺")])
def test_a_chinese_result_shows_the_text_as_the_page_has_it(
    browser, tmp_path: Path, lang: str, query: str
) -> None:
    """Pagefind indexes a copy of the page with a space beside every Han character; the result
    shows the title and an excerpt of the text as written: white space kept where the page has
    it (陳希孺 著, 用 Python 與), none where it has none (LLM整理, 》陳, across **…** and links)."""
    site = build(tmp_path, "spacing")
    folder = site / HOME[lang] / "reading"
    page = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    for link in page.select("article .headerlink"):
        link.decompose()
    title = page.select_one("article h1").get_text()
    text = page.select_one("article p").get_text()
    [[path, shown_title, excerpt, _]] = searched(browser, site, lang, [query])[query]
    assert (path, shown_title) == (f"/{HOME[lang]}reading/", title)
    assert excerpt in text
    assert query + " " in excerpt and len(excerpt) >= 24  # a window of 24 words, not a word
