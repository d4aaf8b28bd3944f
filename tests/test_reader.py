"""Reader features of the built site: search per language, roadmaps, progress ids, notebooks.

Everything is checked on the real `mkdocs build --strict` output (the `site` fixture). Search
queries run in Chromium (test_browser.py); here, the index and query tables the build ships.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from mkdocs.utils.yaml import yaml_load

from conftest import LANG_PREFIX, ROOT
from llmcourse import progress, search

pytestmark = pytest.mark.slow  # the built course site, Pagefind

LANGS = tuple(LANG_PREFIX)
OVERVIEWS = ("fundamentals", "scientist", "engineer")
HAN = re.compile(r"[\u3400-\u9fff]")


@functools.cache
def mkdocs_yml() -> dict:
    """mkdocs.yml as MkDocs reads it (!ENV values resolved from this environment)."""
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        return yaml_load(f)


@functools.cache
def nav_sections() -> dict[str, list[str]]:
    """Nav section folder → its chapter keys in nav order (sections whose pages share a folder)."""
    sections = {}
    for item in mkdocs_yml()["nav"]:
        if not isinstance(item, dict):
            continue
        (entries,) = item.values()
        keys = [
            re.sub(r"\.(md|ipynb)$", "", e if isinstance(e, str) else next(iter(e.values())))
            for e in entries
        ]
        folders = {k.rpartition("/")[0] for k in keys}
        if len(folders) == 1 and "" not in folders:
            folder = folders.pop()
            sections[folder] = [k for k in keys if k != f"{folder}/index"]
    return sections


def html_path(site: Path, lang: str, key: str) -> Path:
    folder = key[: -len("index")] if key.endswith("index") else f"{key}/"
    return site / LANG_PREFIX[lang] / folder / "index.html"


@functools.cache
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def resolve(page: Path, href: str) -> Path:
    """The file a relative link of a built page points to."""
    target = (page.parent / urlsplit(href).path).resolve()
    return target / "index.html" if target.is_dir() else target


def pages(site: Path, lang: str) -> list[Path]:
    """The built HTML pages of one language."""
    root = site / LANG_PREFIX[lang]
    others = [site / LANG_PREFIX[o] for o in LANGS if o != lang and LANG_PREFIX[o]]
    return sorted(
        p for p in root.rglob("index.html") if not any(p.is_relative_to(o) for o in others)
    )


def h1(page: BeautifulSoup) -> str:
    node = BeautifulSoup(str(page.select_one("article h1")), "html.parser")
    for link in node.select(".headerlink"):
        link.decompose()
    return node.get_text().strip()


def unnumbered(title: str) -> str:
    return re.sub(r"^\s*\d+\s*[.、．)]\s*", "", title).strip()


# ---------------------------------------------------------------------------------------------
# Search (Pagefind's index of the built site; queries run in Chromium in test_browser.py)


def test_pagefind_indexes_every_page_in_its_own_language(site: Path) -> None:
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    counts = {lang: info["page_count"] for lang, info in entry["languages"].items()}
    assert counts == {lang.lower(): len(pages(site, lang)) for lang in LANGS}


def test_material_search_is_gone(site: Path) -> None:
    """No Material search index, worker start or our old index: Pagefind replaces them."""
    assert not (site / "search").exists()
    assert not list(site.rglob("search_index*.json"))
    for lang in LANGS:
        for path in pages(site, lang):
            page = soup(path)
            assert page.select("[data-md-component=search], form[name=search]") == [], path
            assert len(page.select("[data-reader-search] input[name=query]")) == 1, path
            scripts = [resolve(path, s["src"]) for s in page.select("script[src]")]
            # the opener only: search.js imports search-ui.js when the reader opens search
            assert (site / "assets" / "reader" / "search.js").resolve() in scripts, path
            assert (site / "assets" / "reader" / "search-ui.js").resolve() not in scripts, path


@pytest.mark.parametrize(
    "lang,query,expected",
    [
        ("zh-TW", "数据集", "資料集"),  # the other script and the other region's term
        ("zh-TW", "向量数据库", "向量資料庫"),
        ("zh-TW", "向量數據庫", "向量資料庫"),  # the other region's term in this script
        ("zh-TW", "监督微调", "監督微調"),
        ("zh-TW", "監督微調", "監督微調"),
        ("zh-TW", "ＬｏＲＡ", "LoRA"),  # full-width Latin
        ("zh-CN", "資料集", "数据集"),
        ("zh-CN", "向量資料庫", "向量数据库"),
        ("zh-CN", "向量數據庫", "向量数据库"),
        ("zh-CN", "機器學習", "机器学习"),
        ("zh-CN", "指令数据集", "指令数据集"),  # the site's own words stay as they are
    ],
)
def test_query_tables_bring_a_query_to_the_sites_form(
    site: Path, lang: str, query: str, expected: str
) -> None:
    """The shipped tables, read as search-ui.js reads them (llmcourse.search.normalise)."""
    data = json.loads((site / search.terms_path(lang)).read_text(encoding="utf-8"))
    chars = dict(zip(data["chars"][::2], data["chars"][1::2], strict=True))
    assert search.normalise(query, chars, data["terms"]) == expected


def test_front_matter_keeps_a_page_out_of_search(tmp_path: Path) -> None:
    from conftest import build_site, site_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首頁\n\n公開的頁面。\n", encoding="utf-8")
    (docs / "draft.md").write_text(
        "---\nsearch:\n  exclude: true\n---\n\n# 草稿\n\n不該被搜尋到。\n", encoding="utf-8"
    )
    site_config(tmp_path)
    result = build_site(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-4000:]
    site = tmp_path / "site"
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    counts = {lang: info["page_count"] for lang, info in entry["languages"].items()}
    assert counts == {"zh-tw": 1, "zh-cn": 1, "en": 1}  # the home page of each language
    assert 'data-pagefind-ignore="all"' in (site / "draft" / "index.html").read_text("utf-8")


def test_query_tables_are_small(site: Path) -> None:
    for lang in ("zh-TW", "zh-CN"):
        size = (site / search.terms_path(lang)).stat().st_size
        assert 1_000 < size < 20_000, (lang, size)


# ---------------------------------------------------------------------------------------------
# Roadmaps


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("section", OVERVIEWS)
def test_overview_has_a_roadmap_of_its_chapters(site: Path, lang: str, section: str) -> None:
    path = html_path(site, lang, f"{section}/index")
    figures = soup(path).select("article figure.reader-roadmap")
    assert len(figures) == 1, path
    svg = figures[0].select_one("svg.reader-roadmap__svg")
    assert svg is not None and svg.get("role") == "group"
    title, desc = svg.select_one("title"), svg.select_one("desc")
    assert title is not None and desc is not None and title.get_text() and desc.get_text()
    assert svg["aria-labelledby"] == title["id"] and svg["aria-describedby"] == desc["id"]
    width = float(svg["viewbox"].split()[2])  # html.parser lower-cases attribute names
    assert width <= 360  # drawn at phone width, scaled by CSS
    assert not svg.find_all(attrs={"fill": re.compile("^#")})
    assert not svg.find_all(attrs={"stroke": re.compile("^#")})

    nodes = svg.select("a.reader-roadmap__node")
    chapters = nav_sections()[section]
    assert [n["data-reader-page"] for n in nodes] == chapters
    for i, (node, key) in enumerate(zip(nodes, chapters, strict=True), 1):
        target = resolve(path, node["href"])
        assert not node["href"].startswith(("/", "http")), node["href"]
        assert target == html_path(site, lang, key).resolve(), (node["href"], key)
        label = unnumbered(h1(soup(target)))  # the chapter's title in this language
        assert node["aria-label"] == f"{i}. {label}"
        drawn = "".join(t.get_text() for t in node.select(".reader-roadmap__label tspan"))
        assert re.sub(r"\s", "", drawn) == re.sub(r"\s", "", label)
        assert label in desc.get_text()


def test_roadmap_labels_follow_the_language(site: Path) -> None:
    labels = {
        lang: [
            n["aria-label"]
            for n in soup(html_path(site, lang, "fundamentals/index")).select(
                "a.reader-roadmap__node"
            )
        ]
        for lang in LANGS
    }
    assert labels["zh-TW"] != labels["zh-CN"]
    assert all(HAN.search(label) for label in labels["zh-TW"] + labels["zh-CN"])
    assert not any(HAN.search(label) for label in labels["en"])


def test_roadmap_colours_come_from_material_variables() -> None:
    css = (ROOT / "overrides" / "assets" / "reader" / "reader.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]*reader-roadmap[^{}]*)\{([^}]*)\}", css)
    colours = [
        value.strip()
        for _, body in rules
        for _, value in re.findall(r"(fill|stroke):([^;]+)", body)
    ]
    assert colours and all(v.startswith("var(--md-") for v in colours), colours


# ---------------------------------------------------------------------------------------------
# Progress


@functools.cache
def _chapter_ids(site: Path, lang: str, key: str) -> tuple[str, str, tuple[str, ...]]:
    page = soup(html_path(site, lang, key))
    chapter = page.select("article .reader-chapter[data-reader-page]")
    assert len(chapter) == 1, (lang, key)
    button = chapter[0].select_one("button.reader-chapter__toggle")
    assert button is not None and button.has_attr("aria-pressed")
    links = page.select("article a[data-reader-resource]")
    resources = tuple(a["data-reader-resource"] for a in links)
    return chapter[0]["data-reader-page"], chapter[0]["data-reader-section"], resources


def test_every_chapter_has_the_same_progress_id_in_every_language(site: Path) -> None:
    chapters = [(folder, key) for folder, keys in nav_sections().items() for key in keys]
    assert len(chapters) >= 20
    for folder, key in chapters:
        ids = {lang: _chapter_ids(site, lang, key) for lang in LANGS}
        assert {ids[lang][:2] for lang in LANGS} == {(key, folder)}, ids
        # the Chinese pages come from one source: the same references, the same ids
        assert ids["zh-TW"][2] == ids["zh-CN"][2], key


def test_resources_have_ids_from_their_links(site: Path) -> None:
    page = soup(html_path(site, "zh-TW", "scientist/evaluation"))
    links = page.select("article a[data-reader-resource]")
    assert len(links) >= 3
    for link in links:
        assert link["data-reader-resource"] == progress.resource_id(link["href"])
        assert "://" not in link["data-reader-resource"]
    assert progress.resource_id("https://www.Example.com/a/b/?x=1#top") == "example.com/a/b?x=1"


@pytest.mark.parametrize("lang", LANGS)
def test_home_and_overviews_show_section_progress(site: Path, lang: str) -> None:
    home = soup(html_path(site, lang, "index"))
    rows = home.select("#reader-progress-panel .reader-section-progress")
    assert [r["data-reader-section"] for r in rows] == list(nav_sections())
    data = json.loads(home.select_one("#reader-progress-data").get_text())["sections"]
    for folder, keys in nav_sections().items():
        assert data[folder]["chapters"] == keys
    for control in ("#reader-export", "#reader-import", "#reader-reset", "#reader-progress-status"):
        assert home.select_one(control) is not None, control
    for section in OVERVIEWS:
        panel = soup(html_path(site, lang, f"{section}/index")).select(".reader-section-progress")
        assert [r["data-reader-section"] for r in panel] == [section]


def test_progress_runs_from_an_external_script_only(site: Path) -> None:
    for lang in LANGS:
        for path in pages(site, lang):
            page = soup(path)
            for node in page.select("[data-reader-page], [data-reader-resource], .reader-panel *"):
                assert not [a for a in node.attrs if a.startswith("on")], (path, node.name)
            assert not page.select('a[href^="javascript:"]'), path
            for script in page.select("#reader-strings, #reader-progress-data"):
                assert script["type"] == "application/json", path
                json.loads(script.get_text())
            if page.select(".reader-chapter, .reader-panel"):
                srcs = [s["src"] for s in page.select("script[src]")]
                assert any(src.endswith("assets/reader/progress.js") for src in srcs), path
    js = (ROOT / "overrides" / "assets" / "reader" / "progress.js").read_text(encoding="utf-8")
    assert "location" not in js  # ids come from the page, not from its URL
    assert not re.search(r"\beval\(|new Function|innerHTML", js)


# ---------------------------------------------------------------------------------------------
# Notebooks


@pytest.mark.parametrize("lang", LANGS)
def test_notebook_download_and_colab_links(site: Path, lang: str) -> None:
    settings = mkdocs_yml()["extra"]["notebooks"]
    keys = nav_sections()["notebooks"]
    assert keys
    for key in keys:
        path = html_path(site, lang, key)
        download = soup(path).select("article a.reader-notebook-download")
        assert len(download) == 1, path
        target = resolve(path, download[0]["href"])
        assert target.parent == path.parent and target.suffix == ".ipynb", target
        notebook = json.loads(target.read_text(encoding="utf-8"))
        assert notebook["cells"] and notebook["nbformat"] == 4
        prose = "".join(
            "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
        )
        if lang != "en":
            assert HAN.search(prose), target

        # mkdocs.yml's OWNER/REPO placeholder: no Colab link (tests/test_notebook_links.py)
        assert settings["github"] == "OWNER/REPO"
        assert soup(path).select("article a.reader-notebook-colab") == []


# ---------------------------------------------------------------------------------------------
# No third-party requests

LOADING = {  # element → attributes the browser fetches
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
NOT_LOADED_RELS = {"canonical", "alternate", "author", "license", "next", "prev", "me"}
ABSOLUTE = re.compile(r"^\s*(?:https?:)?//", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^"')\s]+)""", re.I)
JS_LOAD = re.compile(
    r"""(?:import\s*\(|importScripts\s*\(|fetch\s*\(|\.src\s*=|new\s+Worker\s*\()\s*["'`]"""
    r"""((?:https?:)?//[^"'`]+)""",
    re.I,
)
REMOTE_ASSET = re.compile(
    r"""["'`]((?:https?:)?//[^"'`\s]+\.(?:m?js|css|woff2?|ttf|json)(?:\?[^"'`\s]*)?)["'`]"""
)
# Material's bundle can load these, each only when the page needs it; the conditions are checked
MATERIAL_CONDITIONAL = {
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js": "pre.mermaid",
    "https://api.github.com/": "[data-md-component=source], .md-source",
    "https://unpkg.com/resize-observer-polyfill": None,  # browsers without ResizeObserver only
}
NAMESPACES = ("http://www.w3.org/",)  # XML namespace names in code: identifiers, never fetched


def _third_party_in_html(page: BeautifulSoup) -> list[str]:
    found = []
    for tag, attrs in LOADING.items():
        for node in page.find_all(tag):
            for attr in attrs:
                for value in re.split(r",\s*", node.get(attr) or ""):
                    if ABSOLUTE.match(value):
                        found.append(f"<{tag} {attr}={value}>")
    for link in page.find_all("link", href=True):
        if set(link.get("rel") or []) - NOT_LOADED_RELS and ABSOLUTE.match(link["href"]):
            found.append(f"<link href={link['href']}>")
    for node in page.find_all(style=True):
        found += CSS_URL.findall(node["style"])
    for style in page.find_all("style"):
        found += CSS_URL.findall(style.get_text())
    for script in page.find_all("script", src=False):
        found += JS_LOAD.findall(script.get_text()) + REMOTE_ASSET.findall(script.get_text())
    return found


def test_pages_load_nothing_from_other_hosts(site: Path) -> None:
    checked = 0
    for path in sorted(site.rglob("*.html")):
        page = soup(path)
        assert not _third_party_in_html(page), (path, _third_party_in_html(page))
        for url, needs in MATERIAL_CONDITIONAL.items():
            assert needs is None or not page.select(needs), (path, url)
        checked += 1
    assert checked > 90


def test_styles_and_scripts_load_nothing_from_other_hosts(site: Path) -> None:
    for path in sorted(site.rglob("*.css")):
        assert not CSS_URL.findall(path.read_text(encoding="utf-8")), path
    reader = site / "assets" / "reader"
    for path in sorted(reader.glob("*.js")):
        assert not re.search(r"https?://", path.read_text(encoding="utf-8")), path
    for path in sorted(site.rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        loads = JS_LOAD.findall(text) + re.findall(r"""["'`](https?://[^"'`$]+)""", text)
        if path.name.startswith("bundle."):
            unknown = [u for u in loads if not u.startswith((*MATERIAL_CONDITIONAL, *NAMESPACES))]
            assert not unknown, (path, unknown)
        elif "/lunr/" in path.as_posix() or "/workers/" in path.as_posix():
            continue  # Material's own search worker and its stemmers: no page uses them
        else:
            assert not JS_LOAD.findall(text), path
