"""The built course site: every page in three languages, right script, working switcher."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import opencc
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import LANG_PREFIX, ROOT
from llmcourse.pages import page_key

pytestmark = pytest.mark.slow  # the built course site

DOCS = ROOT / "docs"
CASES = Path(__file__).parent / "cases" / "scripts"


def page_keys() -> list[str]:
    """Every page of the course by its language-neutral path (e.g. scientist/evaluation)."""
    return sorted({page_key(p.relative_to(DOCS).as_posix()) for p in DOCS.rglob("*.md")})


def html_path(site: Path, lang: str, key: str) -> Path:
    prefix = LANG_PREFIX[lang]
    if key == "index":
        return site / prefix / "index.html"
    if key.endswith("/index"):
        return site / prefix / key[: -len("index")] / "index.html"
    return site / prefix / key / "index.html"


@functools.cache
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def prose(page: BeautifulSoup) -> str:
    """Visible article text outside code, without URLs and text marked as another language."""
    lang = page.html["lang"]
    article = page.select_one("article") or page
    article = BeautifulSoup(str(article), "html.parser")
    for node in article.select("pre, code, script, style"):
        node.decompose()
    for node in article.select("[lang]"):
        if node["lang"] != lang:
            node.decompose()
    return re.sub(r"https?://\S+", " ", article.get_text(" "))


@functools.cache
def script_only_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters by OpenCC's Taiwan character tables."""
    chars = "".join(chr(c) for c in range(0x4E00, 0xA000))
    t2s = opencc.OpenCC("tw2s").convert(chars)
    s2t = opencc.OpenCC("s2tw").convert(chars)
    simplified_outputs, traditional_outputs = set(t2s), set(s2t)
    trad_only = {
        c for c, s in zip(chars, t2s, strict=True) if s != c and c not in simplified_outputs
    }
    simp_only = {
        c for c, t in zip(chars, s2t, strict=True) if t != c and c not in traditional_outputs
    }
    shared = yaml.safe_load((CASES / "shared-characters.yml").read_text(encoding="utf-8"))
    return frozenset(trad_only - set(shared["zh-CN"])), frozenset(simp_only - set(shared["zh-TW"]))


def title(page: BeautifulSoup) -> str:
    """The article's H1 text without its permalink."""
    h1 = BeautifulSoup(str(page.select_one("article h1")), "html.parser")
    for link in h1.select(".headerlink"):
        link.decompose()
    return h1.get_text(strip=True)


KEYS = page_keys()


def test_course_has_every_section() -> None:
    for key in [
        "index",
        "fundamentals/index",
        "scientist/index",
        "engineer/index",
        "credits",
        "notes/index",
        "scientist/instruction-datasets",
        "engineer/securing-llms",
    ]:
        assert key in KEYS


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_every_page_exists_in_every_language(site: Path, lang: str) -> None:
    missing = [key for key in KEYS if not html_path(site, lang, key).exists()]
    assert not missing


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_html_lang_and_hreflang(site: Path, lang: str) -> None:
    for key in KEYS:
        page = soup(html_path(site, lang, key))
        assert page.html["lang"] == lang, key
        hreflangs = {link["hreflang"] for link in page.select('link[rel="alternate"][hreflang]')}
        assert hreflangs == set(LANG_PREFIX), key


@pytest.mark.parametrize("lang,forbidden", [("zh-CN", 0), ("zh-TW", 1)])
def test_script_of_chinese_pages(site: Path, lang: str, forbidden: int) -> None:
    """zh-CN pages hold no Traditional-only prose, zh-TW pages no Simplified-only prose."""
    bad_chars = script_only_sets()[forbidden]
    offenders = {}
    for key in KEYS:
        text = prose(soup(html_path(site, lang, key)))
        found = sorted({c for c in text if c in bad_chars})
        if found:
            offenders[key] = "".join(found)
    assert not offenders


def test_code_and_urls_identical_across_scripts(site: Path) -> None:
    for key in KEYS:
        tw, cn = soup(html_path(site, "zh-TW", key)), soup(html_path(site, "zh-CN", key))
        tw_code = [n.get_text() for n in tw.select("article pre, article code")]
        cn_code = [n.get_text() for n in cn.select("article pre, article code")]
        assert tw_code == cn_code, key
        tw_urls = [a["href"] for a in tw.select("article a[href^=http]")]
        cn_urls = [a["href"] for a in cn.select("article a[href^=http]")]
        assert tw_urls == cn_urls, key


def _switcher_links(page: BeautifulSoup) -> dict[str, str]:
    return {a["hreflang"]: a["href"] for a in page.select("a.md-select__link[hreflang]")}


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_switcher_keeps_the_page(site: Path, lang: str) -> None:
    for key in KEYS:
        path = html_path(site, lang, key)
        links = _switcher_links(soup(path))
        assert set(links) == set(LANG_PREFIX), key
        for other, href in links.items():
            assert not href.startswith(("/", "http")), (key, href)
            target = (path.parent / href).resolve()
            target = target / "index.html" if target.is_dir() else target
            assert target == html_path(site, other, key).resolve(), (key, other, href)


def test_colab_badge_loads_in_every_language(site: Path) -> None:
    for lang in LANG_PREFIX:
        path = html_path(site, lang, "index")
        imgs = [img["src"] for img in soup(path).select("article img") if "colab" in img["src"]]
        assert imgs, lang
        for src in imgs:
            assert (path.parent / src).resolve().exists(), (lang, src)


def test_english_home_and_labels_are_english(site: Path) -> None:
    page = soup(html_path(site, "en", "index"))
    assert not re.search(r"[\u3400-\u9fff]", title(page))
    labels = [n.get_text(" ", strip=True) for n in page.select("nav.md-nav--primary .md-nav__link")]
    assert any("LLM Fundamentals" in label for label in labels)
    assert "LLM Course" in page.title.get_text()


def test_every_page_has_an_english_translation() -> None:
    """The whole course reads in English (fallback pages: tests/test_fixture_sites.py)."""
    missing = [k for k in KEYS if not (DOCS / f"{k}.en.md").exists()]
    assert not missing


def test_converted_titles_and_site_name(site: Path) -> None:
    cn = soup(html_path(site, "zh-CN", "fundamentals/neural-networks"))
    assert "大型语言模型课程" in cn.title.get_text()
    assert title(cn) == "3. 神经网络"


def test_version_provider_is_mike() -> None:
    assert re.search(r"version:\s*\n\s*provider:\s*mike", (ROOT / "mkdocs.yml").read_text())


def test_relative_links_inside_site(site: Path) -> None:
    """No page links to a site-absolute path, which would escape a mike version folder."""
    for lang in LANG_PREFIX:
        for key in KEYS:
            page = soup(html_path(site, lang, key))
            bad = [a["href"] for a in page.select("a[href^='/']") if not a["href"].startswith("//")]
            assert not bad, (lang, key, bad)


def test_heading_anchors_same_in_both_scripts(site: Path) -> None:
    """A #fragment link and the language switcher land on the same heading in zh-TW and zh-CN."""
    for key in KEYS:
        ids = [
            [
                h["id"]
                for h in soup(html_path(site, lang, key)).select("article [id]")
                if h.name in ("h1", "h2", "h3", "h4", "h5", "h6")
            ]
            for lang in ("zh-TW", "zh-CN")
        ]
        assert ids[0] and ids[0] == ids[1], key


def test_a_notebook_table_swaps_rows_and_columns_in_the_generated_page(site: Path) -> None:
    """The quantization notebook's own table (its metadata): a matrix's 4 rows and 8 columns
    are 4 列 × 8 行 on the zh-TW page and 4 行 × 8 列 on the generated zh-CN one."""
    shown = {}
    for lang in ("zh-TW", "zh-CN"):
        html = html_path(site, lang, "notebooks/quantization").read_text(encoding="utf-8")
        text = BeautifulSoup(html, "html.parser").select_one("article").get_text()
        shown[lang] = re.search(r"排成 4 (.) \(row，.*?\) × 8 (.) \(column", text).groups()
    assert shown == {"zh-TW": ("列", "行"), "zh-CN": ("行", "列")}


@pytest.mark.parametrize("notebook", ["attention", "decoding", "quantization"])
def test_notebook_headings_are_where_their_links_lead(site: Path, notebook: str) -> None:
    """Every table-of-contents, skip and heading link of a notebook page finds its heading,
    and a heading has one id in zh-TW and zh-CN (the site's slug, as on Markdown pages)."""
    ids = {}
    for lang in LANG_PREFIX:
        soup = BeautifulSoup(
            html_path(site, lang, f"notebooks/{notebook}").read_text(), "html.parser"
        )
        headings = [h["id"] for h in soup.select("article :is(h1, h2, h3, h4, h5, h6)[id]")]
        links = [
            a["href"][1:]
            for a in soup.select("a.md-nav__link[href^='#'], a.md-skip, a.anchor-link")
        ]
        assert "" not in headings and len(headings) > 5
        assert [link for link in links if link not in headings] == []
        ids[lang] = headings
    assert ids["zh-TW"] == ids["zh-CN"]
