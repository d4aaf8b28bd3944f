"""Pagefind runs once per content of the pages it indexes (llmcourse.search.index_site): a build
whose pages are all the same takes the bundle it made before; a changed page indexes anew."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

from conftest import build_site, scenario_project
from llmcourse import search

pytestmark = pytest.mark.slow  # builds sites


def test_the_same_pages_take_the_bundle_made_before_and_a_change_indexes_anew(
    tmp_path: Path,
) -> None:
    # one bundle per language: after an edit of the Chinese source, English keeps its bundle
    text = f"# 使用指南\n\n{uuid.uuid4().hex} 的設定。\n"
    project = scenario_project(tmp_path / "project", "outdated", {"guide.md": text})
    guide = project / "docs" / "guide.md"
    site = tmp_path / "site"
    assert build_site(project, site).returncode == 0
    kept = last_used()
    assert sorted(kept) == ["en", "zh-CN", "zh-TW"]
    # the site's bundle is the languages' together (one pagefind-entry.json for them all)
    assert files(site / search.BUNDLE) - {"terms.zh-CN.json", "terms.zh-TW.json"} == set().union(
        *map(files, kept.values())
    )
    entry = json.loads((site / search.BUNDLE / search.ENTRY).read_text(encoding="utf-8"))
    assert sorted(entry["languages"]) == ["en", "zh-cn", "zh-tw"]
    for lang in ("en", "zh-TW"):
        (kept[lang] / f"marker-{lang}.txt").write_text("from the cache", encoding="utf-8")
    assert build_site(project, site).returncode == 0
    for lang in ("en", "zh-TW"):
        marker = site / search.BUNDLE / f"marker-{lang}.txt"
        assert marker.read_text(encoding="utf-8") == "from the cache"
    # the query tables kept with it are the ones the pages give
    for lang, text in search.site_text(site).items():
        kept_table = json.loads((site / search.terms_path(lang)).read_text(encoding="utf-8"))
        assert kept_table == search.query_tables(lang, text)
    guide.write_text(guide.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    assert build_site(project, site).returncode == 0
    again = last_used()
    assert again["en"] == kept["en"]  # English did not change
    assert (site / search.BUNDLE / "marker-en.txt").exists()
    assert (again["zh-TW"], again["zh-CN"]) != (kept["zh-TW"], kept["zh-CN"])
    assert not (site / search.BUNDLE / "marker-zh-TW.txt").exists()


def last_used() -> dict[str, Path]:
    """Each language's most recently used bundle."""
    found: dict[str, Path] = {}
    for bundle in sorted(search.INDEXES.iterdir(), key=lambda p: p.stat().st_mtime_ns):
        if not bundle.name.startswith("."):
            found[bundle.name.rsplit("-", 1)[0]] = bundle
    return found


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _tiny_site(site: Path, text: str) -> Path:
    """A built page as Pagefind reads one (Material's article, the page's language)."""
    site.mkdir(parents=True, exist_ok=True)
    (site / search.PAGE_FILE).write_text(
        '<!doctype html><html lang="zh-TW"><head><title>t</title></head><body>'
        f'<article class="md-content__inner md-typeset"><h1>標題</h1><p>{text}</p></article>'
        "</body></html>",
        encoding="utf-8",
    )
    return site


def test_a_bundle_evicted_while_a_build_takes_it_is_indexed_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another build (serve's index thread, a second `mkdocs build`) keeps a new bundle and
    # lets this one go between this build's finding it and copying it
    monkeypatch.setattr(search, "INDEXES", tmp_path / "indexes")
    site = _tiny_site(tmp_path / "site", "內容一")
    search.index_site(site)
    (kept,) = search.INDEXES.iterdir()
    made = sorted(p.relative_to(site).as_posix() for p in (site / search.BUNDLE).rglob("*"))
    copytree = search.shutil.copytree

    def evicted_first(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(src) == kept and not evicted:
            search.shutil.rmtree(kept)
            evicted.append(kept)
        return copytree(src, dst, *args, **kwargs)

    evicted: list[Path] = []

    monkeypatch.setattr(search.shutil, "copytree", evicted_first)
    search.index_site(site)
    assert evicted == [kept]
    assert sorted(p.relative_to(site).as_posix() for p in (site / search.BUNDLE).rglob("*")) == made


def test_a_bundle_a_build_took_is_kept_before_older_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "INDEXES", tmp_path / "indexes")
    site = _tiny_site(tmp_path / "site", "內容零")
    search.index_site(site)
    (taken,) = search.INDEXES.iterdir()
    for n in range(1, search.KEEP_INDEXES):
        search.index_site(_tiny_site(site, f"內容{n}"))
    oldest = min(
        (p for p in search.INDEXES.iterdir() if p != taken), key=lambda p: p.stat().st_mtime_ns
    )
    search.index_site(_tiny_site(site, "內容零"))  # taken again: the most recently used
    search.index_site(_tiny_site(site, "內容新"))  # one more: the least recently used goes
    assert taken.is_dir()
    assert not oldest.exists()


def test_a_bundle_stands_for_the_pages_pagefind_read_not_those_written_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # serve writes a changed page while the last change's Pagefind (its background thread)
    # still runs: the bundle kept is of the first page, and stands for it when it comes back
    monkeypatch.setattr(search, "INDEXES", tmp_path / "indexes")
    site = _tiny_site(tmp_path / "site", "第一版")
    search.index_site(site, reuse=False)
    first = sorted(p.relative_to(site).as_posix() for p in (site / search.BUNDLE).rglob("*"))
    shutil.rmtree(search.INDEXES)
    start = search._index_copy

    def page_written_meanwhile(pages: dict[str, bytes]) -> Path:
        _tiny_site(site, "第二版")
        return start(pages)

    monkeypatch.setattr(search, "_index_copy", page_written_meanwhile)
    search.index_site(site)
    monkeypatch.setattr(search, "_index_copy", start)
    _tiny_site(site, "第一版")  # the change undone
    search.index_site(site)
    assert (
        sorted(p.relative_to(site).as_posix() for p in (site / search.BUNDLE).rglob("*")) == first
    )


def test_what_a_dead_build_left_is_swept_and_a_live_builds_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a build killed while it kept a bundle (.new-*) or let one go (.old-*) leaves the folder
    monkeypatch.setattr(search, "INDEXES", tmp_path / "indexes")
    left = {}
    for name in (".new-dead", ".old-dead", ".new-live", ".old-live"):
        left[name] = search.INDEXES / name / "bundle"
        left[name].mkdir(parents=True)
        (left[name] / "pagefind.js").write_text("x", encoding="utf-8")
    hours_ago = time.time() - 2 * search.STALE_SECONDS
    for name in (".new-dead", ".old-dead"):
        os.utime(search.INDEXES / name, (hours_ago, hours_ago))
    search.index_site(_tiny_site(tmp_path / "site", "內容"))
    assert sorted(p.name for p in search.INDEXES.iterdir() if p.name.startswith(".")) == [
        ".new-live",
        ".old-live",
    ]
