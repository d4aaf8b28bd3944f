"""What a reader does, in a real browser (Debian's Chromium driven by Playwright).

The site is the mike deployment of the `deployed` fixture (versions 0.1 and 0.2 = latest),
served from localhost. Every page visit records console errors, Content-Security-Policy
violations and any request that would leave localhost; tests assert those stay empty.
Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import LANG_PREFIX

pytestmark = pytest.mark.slow  # Chromium on the mike deployment and built sites

ARTIFACTS = Path(__file__).parent / "artifacts"
CHAPTER = "scientist/evaluation/"
NOTEBOOK = "notebooks/quantization/"
STATUS = "about/status/"
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + e.blockedURI));
window.__shifts = [];
// each shift with what moved, so that a failure names the element (and the time it moved)
new PerformanceObserver(list => window.__shifts.push(...list.getEntries().map(e => [
  e.value, Math.round(e.startTime),
  ...e.sources.map(s => JSON.stringify([s.previousRect, s.currentRect])
    + (s.node ? (s.node.outerHTML || s.node.nodeName).slice(0, 60) : '?'))])))
  .observe({type: 'layout-shift', buffered: true});
"""


@dataclass
class Visit:
    """A browser page with what it reported: console errors, CSP violations, outside requests."""

    page: object
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def csp(self) -> list[str]:
        return self.page.evaluate("window.__csp || []")

    def clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.outside, self.outside
        assert not self.csp(), self.csp()


@pytest.fixture
def visit(browser, base_url: str):
    """Open pages in a fresh context that records everything a test must check."""
    contexts = []

    def open_page(path: str, *, width: int = 1280, height: int = 800, context=None) -> Visit:
        if context is None:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_init_script(WATCH)
            contexts.append(context)
        page = context.new_page()
        v = Visit(page)

        def route(r):
            host = urlsplit(r.request.url).hostname
            if host not in ("127.0.0.1", "localhost") and not r.request.url.startswith("data:"):
                v.outside.append(r.request.url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and v.errors.append(m.text))
        page.on("pageerror", lambda e: v.errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and v.errors.append(f"{r.status} {r.url}"))
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        return v

    yield open_page
    for context in contexts:
        context.close()


def url(lang: str, page: str = "", version: str = "0.2") -> str:
    return f"{version}/{LANG_PREFIX[lang]}{page}"


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
@pytest.mark.parametrize("page", ["", CHAPTER], ids=["home", "chapter"])
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_pages_do_not_shift_as_they_load(
    visit, lang: str, page: str, width: int, height: int
) -> None:
    """No layout shift (CLS 0): the header's search control and the room for each reference
    link's reading checkbox are in place from the first paint."""
    v = visit(url(lang, page), width=width, height=height)
    assert v.page.evaluate("window.__shifts") == []
    v.clean()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
@pytest.mark.parametrize("page", ["", CHAPTER], ids=["home", "chapter"])
def test_page_renders_in_every_language(visit, lang: str, page: str) -> None:
    v = visit(url(lang, page))
    assert v.page.evaluate("document.documentElement.lang") == lang
    h1 = v.page.locator("article h1").first
    assert h1.is_visible() and h1.inner_text().strip()
    v.clean()


@pytest.mark.parametrize("page", ["", CHAPTER], ids=["home", "chapter"])
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_screenshots(visit, page: str, width: int, height: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for lang in LANG_PREFIX:
        v = visit(url(lang, page), width=width, height=height)
        name = f"{(page.strip('/') or 'home').replace('/', '-')}-{lang}-{width}x{height}.png"
        v.page.screenshot(path=str(ARTIFACTS / name), full_page=False)
        scroll_width = v.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width + 1, f"{name} scrolls sideways ({scroll_width}px)"
        v.clean()


# --------------------------------------------------------------------------- switching


def test_switching_language_keeps_page_and_heading(visit, base_url: str) -> None:
    path = "notes/from-ai-to-llm-basics/"
    v = visit(url("zh-TW", path))
    headings = v.page.locator("article h2[id]")
    third = headings.nth(2).get_attribute("id")
    v.page.goto(base_url + url("zh-TW", path) + "#" + third)
    v.page.locator("a.md-select__link[hreflang='zh-CN']").dispatch_event("click")
    v.page.wait_for_url(f"**/0.2/zh-CN/{path}*")
    assert v.page.evaluate("decodeURIComponent(location.hash.slice(1))") == third  # same id
    en_link = v.page.locator("a.md-select__link[hreflang='en']")
    en_link.dispatch_event("click")
    v.page.wait_for_url(f"**/0.2/en/{path}*")
    en_third = v.page.locator("article h2[id]").nth(2).get_attribute("id")
    assert v.page.evaluate("decodeURIComponent(location.hash.slice(1))") == en_third
    top = v.page.locator(f"[id='{en_third}']").evaluate("h => h.getBoundingClientRect().top")
    assert -5 <= top <= 200  # the reader sees that heading
    v.clean()


def test_switching_language_keeps_the_place_in_a_section(visit, base_url: str) -> None:
    """A chapter whose only heading is its title: the reader at its references is at its
    references in the other language (they were put back at the top, the title's anchor
    added to the URL)."""
    path = "engineer/vector-storage/"
    v = visit(url("zh-TW", path), width=390, height=844)
    page = v.page
    assert page.locator("article h2").count() == 0
    last = "article li:last-child a[data-reader-resource]"
    page.locator(last).last.evaluate(
        "a => window.scrollTo(0, a.getBoundingClientRect().top + window.scrollY - 300)"
    )
    page.locator("a.md-select__link[hreflang='en']").dispatch_event("click")
    page.wait_for_url(f"**/0.2/en/{path}")
    assert page.evaluate("location.hash") == ""
    top = page.locator(last).last.evaluate("a => a.getBoundingClientRect().top")
    assert 0 <= top <= 844  # the last reference is on the screen
    assert page.evaluate("window.scrollY") > 0
    v.clean()


def test_switching_version_keeps_page(visit) -> None:
    v = visit(url("en", CHAPTER))
    v.page.locator(".md-version__link", has_text="0.1").first.dispatch_event("click")
    v.page.wait_for_url(f"**/0.1/en/{CHAPTER}")
    assert v.page.evaluate("document.documentElement.lang") == "en"
    v.clean()


# --------------------------------------------------------------------------- features


def test_dark_mode(visit) -> None:
    v = visit(url("zh-TW", CHAPTER))
    scheme = v.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    v.page.locator("form[data-md-component=palette] label:visible").first.click()
    after = v.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {scheme, after} == {"default", "slate"}
    if after != "slate":
        v.page.locator("form[data-md-component=palette] label:visible").first.click()
    background = v.page.evaluate(
        "getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0,3).map(Number)"
    )
    assert sum(background) < 3 * 80, background  # dark
    v.clean()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_notebook_renders_outputs(visit, lang: str) -> None:
    v = visit(url(lang, NOTEBOOK))
    outputs = v.page.locator(".jp-OutputArea-output")
    assert outputs.count() >= 5
    assert "int8" in v.page.locator(".jupyter-wrapper").inner_text().lower()
    v.clean()


def test_a_notebook_copy_button_copies_its_own_code_cell(browser, base_url: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(base_url + url("en", NOTEBOOK))
    button = page.locator("clipboard-copy").first
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_function("navigator.clipboard.readText().then(t => t.length > 0)")
    copied = page.evaluate("navigator.clipboard.readText()")
    first_cell = page.locator(".highlight-ipynb pre").first.inner_text()
    context.close()
    assert copied.strip() == first_cell.strip()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
@pytest.mark.parametrize(
    "page", ["", CHAPTER, NOTEBOOK, STATUS], ids=["home", "chapter", "notebook", "status"]
)
def test_accessibility(visit, lang: str, page: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    v = visit(url(lang, page))
    results = Axe().run(v.page)
    serious = [
        f"{item['id']} ({item['impact']}): {len(item['nodes'])}× e.g. {item['nodes'][0]['target']}"
        for item in results.response["violations"]
        if item["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
    v.clean()


SEARCH_DATA = "/pagefind/"  # where every file of the search engine and index is served
QUERIES = yaml.safe_load(
    (Path(__file__).parent / "cases" / "search" / "queries.yaml").read_text(encoding="utf-8")
)


def search(v: Visit, query: str) -> list[str]:
    """Open search with its shortcut, type a query; the result pages' paths, best first."""
    page = v.page
    if not page.evaluate("document.getElementById('__search').checked"):
        page.locator("body").press("/")
    box = page.locator(".reader-search input[name=query]")
    box.fill(query)
    page.wait_for_function(
        "q => document.querySelector('.reader-search__results').dataset.query === q",
        arg=query,
        timeout=15000,
    )
    return page.locator(".reader-search__results > li > a:first-child").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )


def test_no_search_data_before_search_opens(visit) -> None:
    v = visit(url("zh-TW", CHAPTER))
    requests: list[str] = []
    v.page.on("request", lambda r: requests.append(urlsplit(r.url).path))
    v.page.mouse.wheel(0, 600)
    v.page.wait_for_timeout(500)
    loaded = v.page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in loaded + requests if SEARCH_DATA in u] == []
    # opening search imports search-ui.js, which then fetches Pagefind's script: wait for that
    # request itself (a network-idle wait could end between the two on a busy machine)
    with v.page.expect_request(lambda r: urlsplit(r.url).path == "/0.2/pagefind/pagefind.js"):
        v.page.locator("body").press("/")
    v.page.wait_for_function("() => document.activeElement.name === 'query'")
    v.page.wait_for_load_state("networkidle")
    v.clean()


SEARCH_UI = "/0.2/assets/reader/search-ui.js"  # what runs the box: imported when it opens


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_search_code_loads_when_the_reader_opens_search(visit, width: int, height: int) -> None:
    """A page view loads only the small opener (search.js); the header's search control (the
    button on a phone, the box on a desktop) imports search-ui.js, and what the reader types
    at once is answered."""
    v = visit(url("zh-TW", CHAPTER), width=width, height=height)
    requests: list[str] = []
    v.page.on("request", lambda r: requests.append(urlsplit(r.url).path))
    loaded = v.page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [urlsplit(u).path for u in loaded if "/assets/reader/search" in u] == [
        "/0.2/assets/reader/search.js"
    ]
    v.page.locator(
        "label.md-header__button[for=__search]:visible, .reader-search input[name=query]:visible"
    ).first.click()
    v.page.keyboard.type("資料集")
    v.page.wait_for_function(
        "() => document.querySelector('.reader-search__results').dataset.query === '資料集'"
    )
    assert requests.count(SEARCH_UI) == 1
    assert v.page.locator(".reader-search__results > li").count() > 0
    v.clean()


def test_a_query_fetches_one_copy_of_the_engine(visit) -> None:
    """The first query loads pagefind.js and its WebAssembly, not the worker (a second copy)."""
    v = visit(url("zh-TW", CHAPTER))
    requests: list[str] = []
    v.page.on("request", lambda r: requests.append(urlsplit(r.url).path))
    search(v, "資料集")
    v.page.wait_for_load_state("networkidle")
    engine = sorted(
        p.rsplit("/", 1)[1]
        for p in requests
        if "/pagefind/" in p and p.endswith((".js", ".pagefind"))
    )
    assert engine == ["pagefind.js", "wasm.unknown.pagefind"]
    v.clean()


def test_more_results_load_only_when_the_reader_asks(visit) -> None:
    """Five results (five fragments) per query; five more from the button, in the page's words."""
    v = visit(url("zh-TW", CHAPTER))
    fragments: list[str] = []
    v.page.on("request", lambda r: "/pagefind/fragment/" in r.url and fragments.append(r.url))
    search(v, "模型")
    v.page.wait_for_load_state("networkidle")
    shown = ".reader-search__results > li"
    more = v.page.locator(".reader-search__more")
    assert (v.page.locator(shown).count(), len(fragments), more.inner_text()) == (
        5,
        5,
        "顯示更多結果",
    )
    more.click()
    v.page.wait_for_function(
        "() => document.querySelector('.reader-search__results').dataset.shown === '10'"
    )
    assert (v.page.locator(shown).count(), len(set(fragments))) == (10, 10)
    v.page.locator(".reader-search input[name=query]").fill("")
    v.page.wait_for_function(
        "() => !document.querySelector('.reader-search__results').children.length"
    )
    assert more.is_hidden()
    v.clean()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_relevance(visit, lang: str) -> None:
    """Every case of tests/cases/search/queries.yaml: its page among the first three."""
    v = visit(url(lang, CHAPTER))
    prefix = "/0.2/" + LANG_PREFIX[lang]
    misses = []
    for case in QUERIES[lang]:
        found = search(v, case["query"])
        assert found and all(h.startswith(prefix) for h in found), found  # its language only
        if prefix + case["page"] not in found[:3]:
            misses.append((case["query"], case["kind"], found[:3]))
    assert misses == []
    v.clean()


@pytest.mark.parametrize(
    "lang,queries",
    [
        ("zh-TW", ["資料集", "数据集"]),
        ("zh-CN", ["数据集", "資料集"]),
        ("zh-TW", ["向量資料庫", "向量數據庫", "向量数据库"]),
        ("zh-CN", ["向量数据库", "向量資料庫", "向量數據庫"]),
    ],
)
def test_other_script_and_region_find_the_same_pages(visit, lang: str, queries: list[str]):
    v = visit(url(lang, CHAPTER))
    results = [search(v, q) for q in queries]
    assert results[0]  # the site's own form finds pages
    assert results[1:] == [results[0]] * (len(queries) - 1)
    v.clean()


def test_shortcuts_open_and_close_search(visit) -> None:
    v = visit(url("en", CHAPTER))
    page = v.page
    for key in ("/", "s"):
        page.locator("body").press(key)
        assert page.evaluate("document.activeElement.name") == "query"
        assert page.evaluate("document.getElementById('__search').checked") is True
        assert page.locator(".reader-search input[name=query]").input_value() == ""
        page.keyboard.press("Escape")
        assert page.evaluate("document.getElementById('__search').checked") is False
    v.clean()


def test_escape_gives_the_focus_back(visit) -> None:
    """Escape closes search and the focus goes back where it was (it went to <body>)."""
    v = visit(url("en", CHAPTER))
    page = v.page
    page.locator("article a[href]").first.focus()
    before = page.evaluate("document.activeElement.outerHTML")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "query"
    page.keyboard.press("Escape")
    assert page.evaluate("document.getElementById('__search').checked") is False
    assert page.evaluate("document.activeElement.outerHTML") == before
    v.clean()


def test_tab_out_of_search_closes_it(visit) -> None:
    """Tabbing from the search box to the page closes search: the focus no longer walks the
    page under the overlay with search still open."""
    v = visit(url("en", CHAPTER))
    page = v.page
    page.keyboard.press("/")
    assert page.evaluate("document.getElementById('__search').checked") is True
    for _ in range(12):  # through the box and its results, out into the page
        page.keyboard.press("Tab")
        if not page.evaluate(
            "document.querySelector('[data-reader-search]').contains(document.activeElement)"
        ):
            break
    assert (
        page.evaluate(
            "document.querySelector('[data-reader-search]').contains(document.activeElement)"
        )
        is False
    )
    assert page.evaluate("document.getElementById('__search').checked") is False
    v.clean()


def test_result_highlights_the_query_on_its_page(visit) -> None:
    v = visit(url("zh-TW", CHAPTER))
    search(v, "监督微调")
    v.page.locator(".reader-search__results > li > a").first.click()
    v.page.wait_for_url("**/0.2/scientist/supervised-fine-tuning/**")
    v.page.wait_for_selector("article mark.reader-search-mark")
    marks = v.page.locator("article mark.reader-search-mark").all_inner_texts()
    assert set(marks) == {"監督", "微調"}  # the words Pagefind found, in the site's script
    v.clean()


def test_search_follows_dark_mode(visit) -> None:
    v = visit(url("zh-TW", CHAPTER))
    page = v.page
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") != "slate":
        page.locator("form[data-md-component=palette] label:visible").first.click()
    search(v, "量化")
    colours = page.evaluate(
        """() => {
        const probe = document.createElement("div")
        probe.style.backgroundColor = "var(--md-default-bg-color)"
        document.body.append(probe)
        const theme = getComputedStyle(probe).backgroundColor
        probe.remove()
        const output = document.querySelector(".reader-search .md-search__scrollwrap")
        return [theme, getComputedStyle(output).backgroundColor]
    }"""
    )
    assert colours[1] == colours[0]  # the theme's background, in the search output too
    dark = [int(c) for c in colours[0][colours[0].index("(") + 1 : -1].split(",")[:3]]
    assert sum(dark) < 3 * 80, colours
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-zh-TW-dark.png"))
    v.clean()


def test_progress_survives_reload_language_and_version(visit, base_url: str) -> None:
    v = visit(url("zh-TW", CHAPTER))
    page = v.page
    toggle = page.locator(".reader-chapter button.reader-chapter__toggle").first
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    resource = page.locator("input.reader-resource__check").first
    resource_id = resource.get_attribute("data-reader-resource")
    resource.check()
    page.reload()
    assert (
        page.locator(".reader-chapter button.reader-chapter__toggle").first.get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    for path in (url("en", CHAPTER), url("zh-CN", CHAPTER, version="0.1")):
        page.goto(base_url + path)
        assert page.locator(".reader-chapter__toggle").first.get_attribute("aria-pressed") == "true"
        check = page.locator(f"input.reader-resource__check[data-reader-resource='{resource_id}']")
        assert check.first.is_checked(), path
    # the section overview counts the chapter as done, in another language and version
    page.goto(base_url + url("en", "scientist/", version="0.1"))
    row = page.locator(".reader-section-progress[data-reader-section='scientist']").first
    assert row.locator(".reader-section-progress__chapters").inner_text().strip().startswith("1")
    v.clean()


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_roadmap_renders_and_navigates(visit, lang: str) -> None:
    v = visit(url(lang, "engineer/"))
    nodes = v.page.locator("figure.reader-roadmap svg a.reader-roadmap__node")
    assert nodes.count() == 7
    box = v.page.locator("figure.reader-roadmap svg").bounding_box()
    assert box["width"] > 200 and box["height"] > 200  # drawn, not collapsed
    label = nodes.nth(4).get_attribute("aria-label")
    nodes.nth(4).click()
    v.page.wait_for_url(f"**/0.2/{LANG_PREFIX[lang]}engineer/inference-optimization/")
    assert v.page.locator("article h1").first.inner_text().strip()
    assert label
    v.clean()


# --------------------------------------------------------------------------- serve


def test_live_reload_runs_under_the_policy(browser, tmp_path: Path) -> None:
    """`mkdocs serve`: the page's CSP lets MkDocs' live-reload script run (and report no
    violation), so saving a page reloads the browser by itself."""
    import sys

    from conftest import dev_server, goto_when_served, site_config

    docs = tmp_path / "docs"
    docs.mkdir()
    page = docs / "index.md"
    page.write_text("# 首頁\n\n第一版。\n", encoding="utf-8")
    config = site_config(tmp_path)
    command = (sys.executable, "-m", "mkdocs", "serve", "-f", str(config))
    with dev_server(*command, cwd=tmp_path) as (url, server):
        context = browser.new_context()
        context.add_init_script(WATCH)
        tab = context.new_page()
        goto_when_served(tab, url, server, timeout=120)
        assert "第一版" in tab.locator("article").inner_text()
        tab.wait_for_timeout(1000)  # the live-reload script is polling now
        page.write_text("# 首頁\n\n第二版。\n", encoding="utf-8")
        tab.wait_for_function(
            "() => document.querySelector('article')?.innerText.includes('第二版')",
            timeout=90_000,
        )
        assert tab.evaluate("window.__csp") == []
        context.close()
