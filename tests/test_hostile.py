"""Hostile pages: `check` flags each one, the strict build refuses the same pages, and a build
with `check` skipped ships none of their payloads live, in any language.

The corpus is tests/fixtures/hostile/docs (its README lists the classes): one page per attack,
named by its label, plus pages that must pass (`index`, `good-*`, `inert-*`).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site, serving, site_config
from llmcourse import check, csp

pytestmark = pytest.mark.slow  # builds hostile sites, Chromium

CORPUS = Path(__file__).parent / "fixtures" / "hostile" / "docs"
PAGES = sorted(p.stem for p in [*CORPUS.glob("*.md"), *CORPUS.glob("*.ipynb")])
SAFE = [p for p in PAGES if p == "index" or p.startswith(("good-", "inert-"))]
HOSTILE = [p for p in PAGES if p not in SAFE]
LANGS = {"zh-TW": "", "zh-CN": "zh-CN/", "en": "en/"}
#: (page, language) of every hostile page the site has: a notebook without an English twin
#: has no English page (mkdocs-static-i18n's fallback copies Markdown pages only)
SHIPPED = [
    (page, lang)
    for page in HOSTILE
    for lang in LANGS
    if not (lang == "en" and (CORPUS / f"{page}.ipynb").exists())
]
WARNING = re.compile(r"^WARNING\s+-\s+(?P<path>[^:\s]+\.(?:md|ipynb)):\d+:\d+: ", re.M)
REMOTE = re.compile(r"^\s*(?:[/\\]{2}|/\\|https?:)", re.I)
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:text)", re.I)
LIFTED = re.compile(r"^(?:\.\./)+assets/notebooks/notebook-[0-9a-f]{12}\.js$")
ACTIVE = ("script", "iframe", "object", "embed", "style", "form", "base", "meta", "frame")


def rel(page: str) -> str:
    (source,) = CORPUS.glob(f"{page}.*")
    return source.relative_to(ROOT).as_posix()


@pytest.fixture(scope="module")
def checked(monkeypatch_module) -> dict[str, list[str]]:
    """`course.py check` over the corpus: problem lines per file."""
    monkeypatch_module.chdir(ROOT)
    out = io.StringIO()
    status = check.command([str(CORPUS)], stdout=out, stderr=io.StringIO())
    assert status == 1
    found: dict[str, list[str]] = {}
    for line in out.getvalue().splitlines()[:-1]:
        found.setdefault(line.split(":", 1)[0], []).append(line)
    return found


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _project(tmp: Path) -> Path:
    shutil.copytree(CORPUS, tmp / "docs")
    site_config(tmp)
    return tmp


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, set[str]]:
    """`mkdocs build --strict` over the corpus: exit status and the files its warnings name."""
    project = _project(tmp_path_factory.mktemp("hostile-strict"))
    result = build_site(project, project / "site")
    named = {Path(m["path"]).stem for m in WARNING.finditer(result.stderr)}
    return result.returncode, named


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus built with `check` skipped and without --strict: what would ship."""
    project = _project(tmp_path_factory.mktemp("hostile-shipped"))
    result = build_site(project, project / "site", "--no-strict")
    assert result.returncode == 0, result.stderr[-3000:]
    return project / "site"


@pytest.mark.parametrize("page", HOSTILE)
def test_check_flags_every_hostile_page_with_file_line_col(page: str, checked) -> None:
    lines = checked.get(rel(page), [])
    assert lines, f"check passed {page}"
    assert all(re.match(rf"{re.escape(rel(page))}:\d+:\d+: \S", line) for line in lines)


@pytest.mark.parametrize("page", SAFE)
def test_check_passes_safe_pages(page: str, checked) -> None:
    assert checked.get(rel(page), []) == []


def test_strict_build_refuses_exactly_the_pages_check_flags(checked, strict) -> None:
    status, named = strict
    assert status == 1
    flagged = {Path(path).stem for path in checked}
    assert flagged == set(HOSTILE)
    assert named == flagged


@pytest.mark.parametrize(("page", "lang"), SHIPPED)
def test_no_payload_is_live_in_the_shipped_site(page: str, lang: str, shipped: Path) -> None:
    folder = shipped / LANGS[lang] / page
    soup = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article")
    active = article.find_all(ACTIVE)
    # a notebook page's one script is its template's, lifted into a file of the site
    lifted = [t for t in active if t.name == "script" and LIFTED.search(t.get("src", ""))]
    assert [t.name for t in active if t not in lifted] == []
    for script in lifted:
        assert "alert(" not in (folder / script["src"]).resolve().read_text(encoding="utf-8")
    handlers = [(t.name, a) for t in soup.find_all(True) for a in t.attrs if a.startswith("on")]
    assert handlers == []
    urls = [
        v
        for t in soup.find_all(True)
        for a, v in t.attrs.items()
        if a in ("href", "src", "action", "formaction", "data") and UNSAFE_URL.match(str(v))
    ]
    assert urls == []
    remote = [t["src"] for t in soup.find_all("img", src=True) if REMOTE.match(t["src"])]
    assert remote == []
    search = [a for t in article.find_all(True) for a in t.attrs if a.startswith("data-pagefind")]
    assert set(search) <= {"data-pagefind-ignore"}  # the notices' own, which hides only them
    assert [t for t in article.find_all("a") if "opener" in t.get("rel", [])] == []
    # the notebook's own download link (a reader- class, which page content cannot have)
    downloads = article.find_all("a", download=True)
    assert [t for t in downloads if "reader-notebook-download" not in t["class"]] == []
    positioned = [t["style"] for t in article.find_all(style=True) if "position" in t["style"]]
    assert positioned == []
    reserved = [t["id"] for t in article.find_all(id=True) if t["id"].startswith("__")]
    assert reserved == []
    # Every executable inline script is the theme's and allowed by hash; none is the page's.
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    for script in soup.find_all("script", src=False):
        if script.get("type") in csp.DATA_TYPES:
            continue
        assert "alert(" not in script.string
        assert f"'sha256-{csp.digest(script.string)}'" in policy
    assert "alert(" not in "".join(s.string or "" for s in soup.find_all("script"))


def test_every_html_file_has_the_policy_404_included(shipped: Path) -> None:
    files = sorted(shipped.rglob("*.html"))
    assert shipped / "404.html" in files
    missing = [
        f.relative_to(shipped).as_posix()
        for f in files
        if '<meta http-equiv="Content-Security-Policy"' not in f.read_text(encoding="utf-8")
    ]
    assert missing == []


def test_titles_and_descriptions_reach_the_page_as_text(shipped: Path) -> None:
    soup = BeautifulSoup(
        (shipped / "front-matter-title" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    assert soup.title.string.startswith("</title><script>alert('front-matter-title')</script>")
    soup = BeautifulSoup(
        (shipped / "front-matter-description" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert description == '"><script>alert("front-matter-description")</script>'


@pytest.fixture(scope="module")
def served(shipped: Path):
    """The shipped hostile site on a free localhost port."""
    with serving(shipped) as url:
        yield url


def test_nothing_runs_in_a_real_browser(browser, served: str) -> None:
    """Every hostile page in every language, opened in Chromium: no dialog, no overlay."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
    outside: list[str] = []
    context.route(
        re.compile(r"^(?!http://127\.0\.0\.1:).*"),
        lambda route: (outside.append(route.request.url), route.abort()),
    )
    overlays: list[str] = []
    opened = 0
    for name, lang in SHIPPED:
        page.goto(f"{served}{LANGS[lang]}{name}/", wait_until="load")
        opened += 1
        covering = page.evaluate(OVERLAY)
        if covering:
            overlays.append(f"{LANGS[lang]}{name}: {covering}")
    context.close()
    assert opened == len(SHIPPED)
    assert dialogs == []
    assert overlays == []
    assert outside == []


#: Elements of the page content positioned over the viewport (fixed or absolute, large).
OVERLAY = """() => [...document.querySelectorAll('article *')].filter(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return (s.position === 'fixed' || s.position === 'absolute')
    && r.width * r.height > innerWidth * innerHeight / 4;
}).map(e => e.outerHTML.slice(0, 80))"""
