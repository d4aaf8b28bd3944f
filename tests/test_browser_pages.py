"""Notes and status pages in Chromium: the notes' table of contents follows their outline,
the status table links each row to its page in the reader's language, dates never wrap.

Pages come from the mike deployment of tests/test_browser.py (`visit`).
"""

# ruff: noqa: F811  (the fixture `visit` comes from test_browser; `base_url` from conftest)
from __future__ import annotations

import pytest
from test_browser import url, visit  # noqa: F401

from conftest import LANG_PREFIX

pytestmark = pytest.mark.slow  # Chromium on the mike deployment

NOTES = "notes/from-ai-to-llm-basics/"
STATUS = "about/status/"

OUTLINE = """() => {
  const article = document.querySelector('article');
  const heads = [...article.querySelectorAll('h2[id], h3[id], h4[id]')]
    .map(h => [Number(h.tagName[1]), h.id]);
  const sidebar = document.querySelector('.md-sidebar--secondary nav.md-nav--secondary');
  const toc = [...sidebar.querySelectorAll('a.md-nav__link')]
    .map(a => {
      let depth = 0;
      for (let el = a.closest('ul'); el && !el.matches('nav.md-nav--secondary > ul'); ) {
        el = el.parentElement.closest('ul');
        depth += 1;
      }
      return [depth + 2, decodeURIComponent(a.hash.slice(1))];
    });
  return {heads, toc};
}"""


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_notes_sections_are_open_and_the_toc_follows_them(visit, lang: str) -> None:
    v = visit(url(lang, NOTES))
    outline = v.page.evaluate(OUTLINE)
    assert len(outline["heads"]) == 12
    assert outline["toc"] == outline["heads"]  # same headings, same order, same nesting
    assert [level for level, _ in outline["heads"]] == [2, 2, 2, 2, 3, 4, 4, 4, 4, 4, 4, 3]
    first = v.page.locator("article h2").first
    assert first.is_visible()  # not folded away in a "click to open" box
    aside = v.page.locator("article details")
    assert aside.count() == 1 and aside.get_attribute("open") is None  # the one aside folds
    v.clean()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_status_rows_link_to_their_pages(visit, base_url: str, lang: str) -> None:
    v = visit(url(lang, STATUS))
    links = v.page.eval_on_selector_all(
        ".status-table table tbody th a", "as => as.map(a => [a.href, a.textContent])"
    )
    rows = v.page.locator(".status-table table tbody tr").count()
    assert rows > 20 and len(links) == rows
    prefix = base_url + url(lang)
    for href, _ in links:
        assert href.startswith(prefix), href  # the page in the reader's language and version
        if lang != "en":
            assert "/en/" not in href and (lang == "zh-CN") == ("/zh-CN/" in href), href
    target, title = next((h, t) for h, t in links if h.endswith("/scientist/evaluation/"))
    v.page.click('.status-table table a[href$="scientist/evaluation/"]')
    v.page.wait_for_load_state("networkidle")
    assert v.page.url == target
    assert v.page.evaluate("document.documentElement.lang") == lang
    assert v.page.locator("article h1").first.inner_text().startswith(title.split(" ", 1)[0])
    v.clean()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_status_dates_do_not_wrap_on_a_phone(visit, lang: str) -> None:
    """On a phone a date stays on one line and the table scrolls inside its box (the page
    itself scrolled sideways, 384 px wide at 375)."""
    v = visit(url(lang, STATUS), width=390, height=844)
    dates = v.page.eval_on_selector_all(
        ".status-table table time.status-table__date",
        "ts => ts.map(t => [getComputedStyle(t).whiteSpace, t.getClientRects().length])",
    )
    assert len(dates) > 20
    assert {tuple(d) for d in dates} == {("nowrap", 1)}
    # the table scrolls in Material's wrapper, styled as every table; the page does not
    assert v.page.evaluate("document.documentElement.scrollWidth") == 390
    assert v.page.locator(".md-typeset__scrollwrap .status-table table").count() == 0
    assert v.page.locator(".status-table .md-typeset__scrollwrap table").count() == 1
    v.clean()
