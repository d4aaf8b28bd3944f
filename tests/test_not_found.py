"""Missing URLs, the sitemap and the version selector (hooks/not_found.py, sitemap.py,
versions.py; llmcourse.notfound and its root page).

Built HTML is checked on the `site` fixture; the reader's side in Chromium on the two-version
mike deployment of the `deployed` fixture (0.1, and 0.2 as latest, the default), served the
way GitHub Pages serves a branch: a missing file gets the branch root's 404.html with status
404. Screenshots of each language's 404 page land in tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import GIT_ID, LANG_PREFIX, ROOT, dev_server, git, goto_when_served
from llmcourse import csp, notfound

pytestmark = pytest.mark.slow  # builds sites, mike deployment, Chromium

ARTIFACTS = Path(__file__).parent / "artifacts"
NOTEBOOK = "notebooks/quantization/"
CHAPTER = "scientist/evaluation/"
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + e.blockedURI));
"""


def texts(lang: str) -> dict:
    return yaml.safe_load((ROOT / "locales" / f"{lang}.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- built pages


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_each_language_has_its_404_page(site: Path, lang: str) -> None:
    html = (site / LANG_PREFIX[lang] / "404.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    words = texts(lang)
    assert soup.html["lang"] == lang
    assert soup.title.string == f"{words['not_found']['title']} - {words['site_name']}"
    assert soup.select_one("article h1").get_text(strip=True) == words["not_found"]["title"]
    assert words["not_found"]["text"] in soup.select_one("article").get_text()
    # its own policy, first in <head>, allowing exactly the page's inline scripts
    meta = soup.head.find("meta")
    assert meta["http-equiv"] == "Content-Security-Policy"
    inline = [
        f"'sha256-{csp.digest(s.string or '')}'"
        for s in soup.find_all("script")
        if not s.get("src") and s.get("type") != "application/json"
    ]
    assert inline and meta["content"] == csp.policy(sorted(set(inline)))
    # the reader's navigation and search, every link absolute (the page is served anywhere)
    nav = [a["href"] for a in soup.select("nav.md-nav--primary a.md-nav__link[href]")]
    assert f"/{LANG_PREFIX[lang]}scientist/" in nav
    assert f"/{LANG_PREFIX[lang]}{NOTEBOOK}" in nav
    assert soup.select_one("[data-reader-search] input[name=query]") is not None
    refs = [t.get("href") or t.get("src") for t in soup.select("[href], [src]")]
    local = [r for r in refs if not r.startswith(("https://", "#"))]
    assert local and all(r.startswith("/") for r in local), local
    menu = {a["hreflang"]: a["href"] for a in soup.select("a.md-select__link[hreflang]")}
    assert menu == {"zh-TW": "/", "zh-CN": "/zh-CN/", "en": "/en/"}


def test_404_pages_under_a_mike_version_link_into_that_version(deployed: Path) -> None:
    for lang, prefix in LANG_PREFIX.items():
        soup = BeautifulSoup(
            (deployed / "0.1" / prefix / "404.html").read_text(encoding="utf-8"), "html.parser"
        )
        assert soup.html["lang"] == lang
        home = soup.select_one(".reader-not-found__actions a")["href"]
        assert home == f"/0.1/{prefix}"
        css = [link["href"] for link in soup.select("link[rel=stylesheet]")]
        assert css and all(href.startswith("/0.1/") for href in css), css


def test_sitemap_lists_every_built_page(site: Path) -> None:
    pages = {
        "/" + p.relative_to(site).as_posix().removesuffix("index.html")
        for p in site.rglob("index.html")
    }
    assert "/zh-CN/notebooks/quantization/" in pages
    sitemap = ElementTree.parse(site / "sitemap.xml")
    locs = sitemap.iterfind("{http://www.sitemaps.org/schemas/sitemap/0.9}url/*")
    listed = {urlsplit(loc.text.strip()).path for loc in locs if loc.tag.endswith("}loc")}
    assert listed == pages


def test_version_selector_only_in_mike_builds(site: Path, deployed: Path) -> None:
    def config(path: Path) -> dict:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return json.loads(soup.select_one("#__config").string)

    assert config(site / NOTEBOOK / "index.html")["version"] is None
    assert config(deployed / "0.1" / NOTEBOOK / "index.html")["version"] == {
        "provider": "mike",
        "alias": True,
    }


# --------------------------------------------------------------------------- the site root


def test_root_404_is_committed_with_a_strict_policy(deployed: Path) -> None:
    html = (deployed / "404.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert (deployed / "404.js").read_bytes() == notfound.ROOT_SCRIPT.read_bytes()
    assert soup.html["data-root"] == "/" and soup.html["data-default"] == "latest"
    policy = soup.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    style = soup.style.string
    assert policy == (
        "default-src 'none'; script-src 'self'; connect-src 'self'; "
        f"style-src 'sha256-{csp.digest(style)}'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'"
    )
    assert [s.get("src") for s in soup.find_all("script")] == ["/404.js"]
    for lang, prefix in LANG_PREFIX.items():
        section = soup.select_one(f"section[lang={lang}]")
        assert section.h1.get_text() == texts(lang)["not_found"]["title"]
        assert section.a["href"] == f"/latest/{prefix}"


def test_default_version_is_the_one_mike_redirects_to() -> None:
    versions = [{"version": "0.2", "aliases": ["latest"]}, {"version": "0.1", "aliases": []}]
    redirect = '<meta http-equiv="refresh" content="1; url=0.1/" />'
    assert notfound.default_version(redirect, versions) == "0.1"
    assert notfound.default_version(None, versions) == "0.2"
    assert notfound.default_version('url=gone/"', versions) == "0.2"
    with pytest.raises(ValueError, match="no version"):
        notfound.default_version(None, [])


def test_root_404_commits_only_on_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "source")
    git(repo, "checkout", "-q", "--orphan", "gh-pages")
    (repo / "versions.json").write_text('[{"version": "dev", "aliases": []}]')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "mike")
    git(repo, "checkout", "-q", "main")  # the workflow's checkout: gh-pages is only a branch
    env = {**os.environ, **GIT_ID}
    run = [sys.executable, str(ROOT / "scripts" / "course.py"), "root-404", "--repo", str(repo)]
    url = ["--site-url", "https://example.org/course/"]
    first = subprocess.run([*run, *url], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert git(repo, "ls-tree", "--name-only", "gh-pages").split() == [
        "404.html",
        "404.js",
        "versions.json",
    ]
    page = git(repo, "show", "gh-pages:404.html")
    assert 'data-root="/course/" data-default="dev"' in page
    assert '<script src="/course/404.js" defer></script>' in page
    head = git(repo, "rev-parse", "gh-pages")
    again = subprocess.run([*run, *url], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert git(repo, "rev-parse", "gh-pages") == head
    assert git(repo, "status", "--porcelain") == ""  # the work tree was never touched
    missing = subprocess.run(
        [*run, "--branch", "nope", *url], env=env, capture_output=True, text=True, timeout=120
    )
    assert missing.returncode == 1 and missing.stderr.startswith("root-404: nope: ")


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def pages_url(base_url: str) -> str:
    """The deployment at its site_url (conftest.base_url); `tab` adds what GitHub Pages does
    for a missing file."""
    return base_url


@pytest.fixture
def tab(browser, deployed: Path):
    """A new page (viewport, browser locale) that records CSP violations and failed requests,
    on a host that answers a missing file with the branch root's 404.html, as GitHub Pages."""
    contexts = []
    root_404 = (deployed / "404.html").read_bytes()

    def like_github_pages(route) -> None:
        response = route.fetch(max_redirects=0)
        if response.status == 404:
            route.fulfill(status=404, body=root_404, content_type="text/html; charset=utf-8")
        else:
            route.fulfill(response=response)

    def open_tab(*, width: int = 1280, height: int = 800, locale: str = "en-US"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.add_init_script(WATCH)
        context.route("**/*", like_github_pages)
        contexts.append(context)
        page = context.new_page()
        page.failed = []
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"
                and page.failed.append(f"{r.status} {r.url}")
            ),
        )
        page.on("pageerror", lambda e: page.failed.append(str(e)))
        return page

    yield open_tab
    for context in contexts:
        context.close()


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert page.failed == []


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_localized_404_at_any_depth(tab, pages_url: str, deployed: Path, lang: str) -> None:
    """The version's 404 page served for a deep missing URL (as a host that serves the nearest
    404.html would): styled, its navigation and search working, in its language."""
    prefix = LANG_PREFIX[lang]
    body = (deployed / "0.2" / prefix / "404.html").read_text(encoding="utf-8")
    deep = f"{pages_url}0.2/{prefix}a/b/c/missing.html"
    for width, height in ((390, 844), (1280, 800)):
        page = tab(width=width, height=height)
        page.route(deep, lambda r: r.fulfill(status=404, body=body, content_type="text/html"))
        page.goto(deep)
        settle(page)
        words = texts(lang)["not_found"]
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.title().startswith(words["title"] + " - ")
        assert page.locator("article h1").inner_text() == words["title"]
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"404-{lang}-{width}x{height}.png"))
    # the search box finds pages of this language and version
    page.locator(".reader-not-found__actions button").click()
    page.locator(".reader-search input[name=query]").fill("LoRA")
    page.wait_for_function(
        "() => document.querySelector('.reader-search__results').dataset.query === 'LoRA'",
        timeout=15000,
    )
    found = page.locator(".reader-search__results > li > a:first-child").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    assert found and all(p.startswith(f"/0.2/{prefix}") for p in found), found
    # and its navigation leads to real pages
    page.keyboard.press("Escape")
    page.locator(".reader-not-found__actions a").click()
    page.wait_for_url(f"{pages_url}0.2/{prefix}")
    settle(page)


def test_404_search_button_works_from_the_keyboard(tab, pages_url: str) -> None:
    """The 404 page's search button is a button: Tab reaches it and Enter opens search (it was
    a label, which no key reaches)."""
    page = tab()
    page.goto(f"{pages_url}0.2/en/404.html")
    settle(page)
    page.locator(".reader-not-found__actions a").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == texts("en")["not_found"]["search"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('__search').checked") is True
    assert page.evaluate("document.activeElement.name") == "query"


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_404_page_passes_axe_in_both_schemes(tab, pages_url: str, scheme: str) -> None:
    """The 404 page's buttons read in the light and the dark scheme: axe finds no serious
    violation (the outlined search button was primary-colour text on the dark background,
    2.3:1)."""
    from axe_playwright_python.sync_playwright import Axe

    page = tab()
    page.goto(f"{pages_url}0.2/en/404.html")
    settle(page)
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme:
        page.locator("form[data-md-component=palette] label:visible").first.click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
    results = Axe().run(page)
    serious = [
        f"{item['id']}: {[node['target'] for node in item['nodes']]}"
        for item in results.response["violations"]
        if item["impact"] in ("serious", "critical")
    ]
    assert serious == []


def heading_ids(page: Path, levels: str) -> list[str]:
    """The ids of a built page's headings of these levels ("h1, h2"), in order."""
    soup = BeautifulSoup((page / "index.html").read_text(encoding="utf-8"), "html.parser")
    return [h["id"] for h in soup.select(f"article [id]:is({levels})")]


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_root_404_sends_to_the_same_page_in_the_default_version(
    tab, pages_url: str, deployed: Path, lang: str
) -> None:
    prefix = LANG_PREFIX[lang]
    heading = heading_ids(deployed / "0.2" / prefix / CHAPTER, "h1, h2, h3")[-1]
    page = tab()
    # no version folder, and no trailing slash: the reader typed it
    page.goto(f"{pages_url}{prefix}{CHAPTER.rstrip('/')}?x=1#{quote(heading)}")
    page.wait_for_url(f"{pages_url}latest/{prefix}{CHAPTER}?x=1#{quote(heading)}")
    settle(page)
    assert page.evaluate("document.documentElement.lang") == lang
    # a version that no longer exists: the same page in the default one
    page.goto(f"{pages_url}0.0/{prefix}{NOTEBOOK}")
    page.wait_for_url(f"{pages_url}latest/{prefix}{NOTEBOOK}")
    settle(page)


@pytest.mark.parametrize(
    "path,locale,lang",
    [
        ("zh-CN/no-such-page/", "en-US", "zh-CN"),
        ("0.1/en/no-such-page/", "zh-TW", "en"),
        ("no-such-page/", "zh-TW", "zh-TW"),
        ("no-such-page/", "zh-CN", "zh-CN"),
        ("no-such-page/", "en-GB", "en"),
        ("no-such-page/", "fr-FR", "en"),
        ("no-such-page/", "zh-HK", "zh-TW"),
        ("no-such-page/", "zh-SG", "zh-CN"),
    ],
)
def test_root_404_falls_back_to_the_localized_404(
    tab, pages_url: str, path: str, locale: str, lang: str
) -> None:
    page = tab(locale=locale)
    page.goto(pages_url + path)
    page.wait_for_url(f"{pages_url}latest/{LANG_PREFIX[lang]}404.html")
    settle(page)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("article h1").inner_text() == texts(lang)["not_found"]["title"]


def test_root_404_reads_browser_languages_from_the_locale_files() -> None:
    """root-404.js holds no language of its own: the tags come from locales/<lang>.yml, the
    most specific first, so zh-Hans-CN is Simplified before zh catches the rest."""
    assert notfound.browser_tags(("zh-TW", "zh-CN", "en")) == [
        ("zh-hant", "zh-TW"), ("zh-hans", "zh-CN"),
        ("zh-tw", "zh-TW"), ("zh-hk", "zh-TW"), ("zh-mo", "zh-TW"),
        ("zh-cn", "zh-CN"), ("zh-sg", "zh-CN"), ("zh-my", "zh-CN"),
        ("zh", "zh-TW"), ("en", "en"),
    ]  # fmt: skip
    html = notfound.render_root("https://example.org/llm/", "latest")
    assert 'data-browser-fallback="en"' in html
    script = (ROOT / "scripts" / "llmcourse" / "root-404.js").read_text(encoding="utf-8")
    assert re.findall(r"""["'`](?:zh|en)\b""", script) == []  # no language literal in the code


def test_root_404_without_a_localized_page_shows_its_own_text(
    tab, pages_url: str, deployed: Path
) -> None:
    """When the default version has no 404 pages (one built before them), the root page
    stays, in the reader's language only, and does not loop."""
    page = tab(locale="zh-CN")
    page.route(re.compile(r"/latest/.*404\.html$"), lambda r: r.fulfill(status=404, body="x"))
    page.goto(pages_url + "zh-CN/no-such-page/")
    page.wait_for_load_state("networkidle")
    assert page.url == pages_url + "zh-CN/no-such-page/"
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.title() == texts("zh-CN")["not_found"]["title"]
    visible = page.locator("section:visible")
    assert visible.count() == 1 and visible.get_attribute("lang") == "zh-CN"


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_version_switch_from_a_notebook_keeps_page_language_and_heading(
    tab, pages_url: str, deployed: Path, lang: str
) -> None:
    prefix = LANG_PREFIX[lang]
    heading = heading_ids(deployed / "0.2" / prefix / NOTEBOOK, "h2")[1]
    page = tab()
    page.goto(f"{pages_url}0.2/{prefix}{NOTEBOOK}#{quote(heading)}")
    settle(page)
    page.locator(".md-version__link", has_text="0.1").first.dispatch_event("click")
    page.wait_for_url(f"{pages_url}0.1/{prefix}{NOTEBOOK}#{quote(heading)}")
    settle(page)
    assert page.evaluate("document.documentElement.lang") == lang
    top = page.locator(f"[id='{heading}']").evaluate("h => h.getBoundingClientRect().top")
    assert -5 <= top <= 200  # the reader sees that heading


# --------------------------------------------------------------------------- mkdocs serve


def test_serve_requests_no_versions_json(browser, tmp_path: Path) -> None:
    """`mkdocs serve` has no mike versions: its pages ask for no versions.json (no 404s)."""
    command = (sys.executable, "-m", "mkdocs", "serve", "-f", str(ROOT / "mkdocs.yml"))
    with dev_server(*command, "--no-livereload", cwd=tmp_path) as (url, server):
        context = browser.new_context()
        context.add_init_script(WATCH)
        page = context.new_page()
        requests: list[str] = []
        failed: list[str] = []
        page.on("request", lambda r: requests.append(urlsplit(r.url).path))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        goto_when_served(page, f"{url}zh-CN/{NOTEBOOK}", server)
        page.wait_for_load_state("networkidle")
        assert page.locator("article h1").first.is_visible()
        assert [p for p in requests if p.endswith("versions.json")] == []
        assert failed == []
        assert page.evaluate("window.__csp") == []
        context.close()
