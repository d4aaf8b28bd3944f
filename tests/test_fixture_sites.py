"""Small sites built with the project's own configuration, one scenario per fixture tree."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import GIT_ID, build_site, git, scenario_project

pytestmark = pytest.mark.slow  # builds fixture sites


def build(tmp_path: Path, scenario: str, prepare=None) -> Path:
    """Copy a scenario's docs, optionally prepare them (git history), build, return the site."""
    project = scenario_project(tmp_path / scenario, scenario)
    if prepare:
        prepare(project / "docs")
    config = project / "mkdocs.yml"
    site = tmp_path / f"{scenario}-site"
    result = build_site(project, site, "-f", str(config))
    assert result.returncode == 0, result.stderr[-3000:]
    return site


def html(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text("utf-8"), "html.parser")


def article_text(page: BeautifulSoup) -> str:
    return page.select_one("article").get_text(" ", strip=True)


def test_fallback_pages_say_so_and_link_to_the_source(tmp_path: Path) -> None:
    site = build(tmp_path, "fallback")
    en = html(site, "en/guide")
    notice = en.select_one("article .admonition.warning")
    assert "not been translated into English yet" in notice.get_text()
    href = notice.select_one("a")["href"]
    assert (site / "en/guide" / href / "index.html").resolve() == (site / "guide/index.html")
    # converted pages carry no notice, and code stays as written
    cn = html(site, "zh-CN/guide")
    assert not cn.select("article .admonition")
    assert "这一页只有繁体中文原文，默认的配置文件放在项目根目录。" in article_text(cn)
    assert 'print("預設")' in cn.select_one("pre").get_text()


def test_zh_cn_source_makes_the_zh_tw_page(tmp_path: Path) -> None:
    site = build(tmp_path, "fallback")
    tw = article_text(html(site, "simplified"))
    assert "這一頁只有簡體中文原文" in tw
    assert "預設" in tw  # the regional term, not a character swap (默認)
    assert "简体页面" in html(site, "zh-CN/simplified").select_one("h1").get_text()
    en = html(site, "en/simplified")
    assert "not been translated" in article_text(en)
    assert "這一頁只有簡體中文原文" in article_text(en)  # falls back to the default script


def test_rules_and_mixed_script(tmp_path: Path) -> None:
    site = build(tmp_path, "rules")
    tw, cn = article_text(html(site, "guide")), article_text(html(site, "zh-CN/guide"))
    assert "在 臺灣 用語中" in tw and "在 大陆 用语中" in cn
    assert "程式 這個詞" in tw and "程式 这个词" in cn  # protected from conversion
    assert "软件包依页面规则转换" in cn
    assert "-{" not in tw and "-{" not in cn
    # a title quoted in the other script reads in the page's own script; the author's
    # own words stay exactly as written (參數 is not "corrected" to 引數)
    assert "【中文編碼】實作中文編碼嵌入" in tw and "作者的參數說明不變" in tw
    for page in (html(site, "guide"), html(site, "zh-CN/guide")):
        assert 'config = "預設"' in page.select_one("pre").get_text()


def outdated_history(docs: Path) -> None:
    """The outdated scenario's history: its pages committed, then the Chinese source changed
    after the English translation (build's ``prepare``)."""
    git(docs, "init", "-q", "-b", "main")
    git(docs, "add", ".")
    env = {**os.environ, **GIT_ID, "GIT_COMMITTER_DATE": "2024-01-01T00:00:00"}
    subprocess.run(["git", "commit", "-q", "-m", "first"], cwd=docs, env=env, check=True)
    (docs / "guide.md").write_text("# 使用指南\n\n第二版的說明，原文改過了。\n", "utf-8")
    git(docs, "commit", "-q", "-am", "source changed")


def test_outdated_translation_notice_and_status(tmp_path: Path) -> None:
    site = build(tmp_path, "outdated", outdated_history)
    en = html(site, "en/guide")
    notice = en.select_one("article .admonition.warning")
    assert notice is not None and "may be out of date" in notice.get_text()
    assert not html(site, "en").select("article .admonition.warning")  # index is current


@pytest.mark.parametrize("scenario", ["fallback", "rules"])
def test_works_without_git(tmp_path: Path, scenario: str) -> None:
    """A tarball (no .git anywhere above) still builds, just without dates."""
    site = build(tmp_path, scenario)
    assert (site / "en/guide/index.html").exists()


def heading_ids(page: BeautifulSoup) -> list[str]:
    return [h["id"] for h in page.select("article h1[id], article h2[id], article h3[id]")]


def test_generated_pages_keep_the_source_anchors(tmp_path: Path) -> None:
    """Both scripts of a page have the same heading ids, even where the glossary or a page rule
    does not round-trip, and every #anchor link into the pages finds its heading."""
    site = build(tmp_path, "anchors")
    pages = {}
    for name in ("decoding", "algorithms"):
        tw, cn = html(site, name), html(site, f"zh-CN/{name}")
        assert heading_ids(tw) == heading_ids(cn), name
        pages[name] = set(heading_ids(tw))
    assert heading_ids(html(site, "decoding")) == ["解码", "推断过程", "贪婪解码", "推断过程_1"]
    assert heading_ids(html(site, "zh-CN/algorithms")) == ["算法", "算法比较"]
    assert html(site, "decoding").select_one("article h2").get_text().startswith("推論過程")
    assert "{#" not in article_text(html(site, "decoding"))
    links = 0
    for path in ("", "zh-CN", "en", "decoding", "zh-CN/decoding", "algorithms", "zh-CN/algorithms"):
        for a in html(site, path).select("article a[href*='#']"):
            if "headerlink" in a.get("class", []):
                continue
            target, _, anchor = a["href"].partition("#")
            name = target.strip("./").split("/")[-1] or path.split("/")[-1]
            assert anchor in pages[name], (path, a["href"])
            links += 1
    assert links == 14
