"""The theme around the page, as a reader meets it in Chromium, in all three languages:
its text in the reader's language, the short site name on a phone, the language switch
keeping the heading the reader scrolled to, and "edit this page".

Pages come from the mike deployment of tests/test_browser.py (`visit`); the edit links
from the `fallback` fixture site built as the deploy workflow builds (with a repository).
Screenshots of the main page types at 390 px and 1280 px go to tests/artifacts/.
"""

# ruff: noqa: F811  (the fixtures `visit`, `fallback_site` come from other modules; `base_url` from conftest)
from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import ARTIFACTS, url, visit  # noqa: F401
from test_theme_language import EDIT, fallback_site  # noqa: F401

from conftest import LANG_PREFIX, serving
from llmcourse import locales
from llmcourse.theme_text import ui_table

pytestmark = pytest.mark.slow  # Chromium on the mike deployment

CHAPTER = "engineer/vector-storage/"
NOTES = "notes/llm-model-engineering/"
NOTEBOOK = "notebooks/attention/"
HEADINGS = "article :is(h1, h2, h3, h4, h5, h6)[id]"  # what keep-heading.js counts
PHONE, DESKTOP = (390, 844), (1280, 800)
OWN_TEXT = "e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('').trim()"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- theme text


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_theme_text_in_the_reader_language(visit, lang: str) -> None:
    table = ui_table(lang)
    v = visit(url(lang, CHAPTER))
    page = v.page
    name = locales.load(lang)["site_name"]
    heading = page.locator("article h1").evaluate(OWN_TEXT)
    assert page.title() == f"{heading} - {name}"
    footer = squash(page.locator(".md-copyright").inner_text())
    assert footer == table["copyright.generator"].replace("{link}", "Material for MkDocs")
    link = page.locator("article a.headerlink").first
    assert link.get_attribute("title") == table["toc.permalink"]
    assert squash(page.locator(".md-footer__direction").last.inner_text()) == table["footer.next"]
    assert page.locator(".md-top").inner_text().strip() == table["top"]
    v.clean()
    home = visit(url(lang))
    assert home.page.title() == name
    notebook = visit(url(lang, NOTEBOOK))
    copy = notebook.page.locator("clipboard-copy").first
    assert copy.get_attribute("aria-label") == table["clipboard.copy"]
    assert copy.locator(".notice").evaluate("n => n.textContent") == table["clipboard.copied"]
    notebook.clean()


# --------------------------------------------------------------------------- short site name


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_short_site_name_on_a_phone(visit, lang: str) -> None:
    data = locales.load(lang)
    phone = visit(url(lang, CHAPTER), width=PHONE[0], height=PHONE[1])
    short = phone.page.locator(".md-header__topic .reader-site-name--short")
    assert short.is_visible()
    assert short.inner_text().strip() == data["ui"]["site.short"]
    assert short.evaluate("e => e.scrollWidth <= e.clientWidth")  # whole, no "…"
    assert not phone.page.locator(".md-header__topic .reader-site-name").is_visible()
    phone.clean()
    desktop = visit(url(lang, CHAPTER), width=DESKTOP[0], height=DESKTOP[1])
    full = desktop.page.locator(".md-header__topic .reader-site-name")
    assert full.is_visible() and full.inner_text().strip() == data["site_name"]
    assert full.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert not desktop.page.locator(".md-header__topic .reader-site-name--short").is_visible()
    desktop.clean()


# --------------------------------------------------------------------------- language switch


def heading_ids(page) -> list[str]:
    return page.eval_on_selector_all(HEADINGS, "hs => hs.map(h => h.id)")


def switch(v, base: str, lang: str, path: str) -> None:
    v.page.locator(f"a.md-select__link[hreflang='{lang}']").dispatch_event("click")
    v.page.wait_for_url(f"{base}{url(lang, path)}*")


@pytest.mark.parametrize("start,target", [("zh-TW", "zh-CN"), ("zh-CN", "en"), ("en", "zh-TW")])
def test_switch_keeps_the_heading_scrolled_to(visit, base_url: str, start: str, target: str):
    """Arrived at section 2 by its link, then scrolled to section 7: the switch lands on 7."""
    v = visit(url(start, NOTES))
    ids = heading_ids(v.page)
    assert len(ids) > 8
    v.page.goto(base_url + url(start, NOTES) + "#" + ids[2])
    seventh = v.page.locator(HEADINGS).nth(7)
    seventh.evaluate("h => window.scrollBy(0, h.getBoundingClientRect().top - 70)")
    assert v.page.evaluate("decodeURIComponent(location.hash.slice(1))") == ids[2]
    switch(v, base_url, target, NOTES)
    landed = heading_ids(v.page)[7]
    assert v.page.evaluate("decodeURIComponent(location.hash.slice(1))") == landed
    top = v.page.locator(HEADINGS).nth(7).evaluate("h => h.getBoundingClientRect().top")
    assert -5 <= top <= 200  # at the top of the reader's screen
    v.clean()


def test_switch_keeps_a_last_heading_that_cannot_reach_the_top(visit, base_url: str) -> None:
    """The link to the home page's short last section: the page ends before it reaches the
    top of the screen, and only the hash says it is the reader's heading."""
    v = visit(url("en"))
    ids = heading_ids(v.page)
    v.page.goto(base_url + url("en") + "#" + ids[-1])
    v.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = v.page.locator(HEADINGS).last.evaluate("h => h.getBoundingClientRect().top")
    assert last > 120  # below the top line
    switch(v, base_url, "zh-TW", "")
    assert v.page.evaluate("decodeURIComponent(location.hash.slice(1))") == heading_ids(v.page)[-1]
    v.clean()


# --------------------------------------------------------------------------- edit this page


@pytest.fixture(scope="module")
def fallback_url(fallback_site: Path):
    with serving(fallback_site) as url:
        yield url


@pytest.mark.parametrize(
    "page,file,kind",
    [
        ("guide/", "guide.md", None),
        ("zh-CN/guide/", "guide.md", "generated"),
        ("en/guide/", "guide.md", "fallback"),
        ("en/", "index.en.md", None),
    ],
)
def test_edit_this_page(browser, fallback_url: str, page: str, file: str, kind) -> None:
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]})
    try:
        tab = context.new_page()
        tab.goto(fallback_url + page)
        lang = tab.evaluate("document.documentElement.lang")
        texts = locales.load(lang)["edit"]
        link = tab.locator("aside.reader-source a[rel=edit]")
        link.scroll_into_view_if_needed()
        assert link.is_visible()
        assert squash(link.inner_text()) == texts["link"]
        assert link.get_attribute("href") == EDIT + file
        button = tab.locator("a.md-content__button[rel=edit]")
        assert button.is_visible() and button.get_attribute("href") == EDIT + file
        note = tab.locator(".reader-source__note")
        if kind is None:
            assert note.count() == 0
        else:
            expected = texts[kind].replace("{path}", f"docs/{file}")
            expected = expected.replace("{new}", f"docs/{file.split('.')[0]}.en.md")
            assert note.is_visible() and squash(note.inner_text()) == expected
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"edit-{page.strip('/').replace('/', '-')}.png"))
    finally:
        context.close()


# --------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
@pytest.mark.parametrize(
    "page",
    ["", CHAPTER, "notes/from-ai-to-llm-basics/", NOTEBOOK, "about/status/"],
    ids=["home", "chapter", "notes", "notebook", "status"],
)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_screenshots_of_every_page_type(visit, lang: str, page: str, size) -> None:
    width, height = size
    v = visit(url(lang, page), width=width, height=height)
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"{(page.strip('/') or 'home').replace('/', '-')}-{lang}-{width}x{height}.png"
    v.page.screenshot(path=str(ARTIFACTS / name))
    scroll_width = v.page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"{name} scrolls sideways ({scroll_width}px)"
    header = v.page.locator(".md-header__topic .md-ellipsis:visible").first
    assert header.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{name}: site name cut"
    v.clean()
