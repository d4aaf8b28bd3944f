"""Pagefind runs once per content of the pages it indexes (llmcourse.search.index_site): a build
whose pages are all the same takes the bundle it made before; a changed page indexes anew."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from conftest import build_site, scenario_project
from llmcourse import search

pytestmark = pytest.mark.slow  # builds sites


def test_the_same_pages_take_the_bundle_made_before_and_a_change_indexes_anew(
    tmp_path: Path,
) -> None:
    text = f"# 使用指南\n\n{uuid.uuid4().hex} 的設定。\n"
    project = scenario_project(tmp_path / "project", "fallback", {"guide.md": text})
    guide = project / "docs" / "guide.md"
    site = tmp_path / "site"
    before = set(search.INDEXES.glob("*")) if search.INDEXES.is_dir() else set()
    assert build_site(project, site).returncode == 0
    (kept,) = set(search.INDEXES.glob("*")) - before
    assert sorted(p.name for p in kept.rglob("*")) == sorted(
        p.name for p in (site / search.BUNDLE).rglob("*") if not p.name.startswith("terms.")
    )
    (kept / "marker.txt").write_text("from the cache", encoding="utf-8")
    assert build_site(project, site).returncode == 0
    assert (site / search.BUNDLE / "marker.txt").read_text(encoding="utf-8") == "from the cache"
    # the query tables kept with it are the ones the pages give
    for lang, text in search.site_text(site).items():
        kept_table = json.loads((site / search.terms_path(lang)).read_text(encoding="utf-8"))
        assert kept_table == search.query_tables(lang, text)
    guide.write_text(guide.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    assert build_site(project, site).returncode == 0
    assert not (site / search.BUNDLE / "marker.txt").exists()
    assert len(set(search.INDEXES.glob("*")) - before) == 2  # the first and the new one
