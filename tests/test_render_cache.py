"""Pages rendered once per content (llmcourse.render_cache): a build from the cache is the
build, warnings included, and anything rendering reads makes the page render again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from conftest import build_site, scenario_project
from llmcourse import render_cache

pytestmark = pytest.mark.slow  # builds sites

MISSING = "Doc file 'links.md' contains a link 'later.md', but the target is not found"


def _project(tmp_path: Path) -> Path:
    # unique text: this site's renderings are new entries of the shared cache
    text = f"# 使用指南\n\n{uuid.uuid4().hex} 的預設設定檔。\n\n## 第二節\n\n正文。\n"
    return scenario_project(tmp_path / "project", "fallback", {"guide.md": text})


def _entries() -> set[Path]:
    return set(render_cache.RENDERED.folder.glob("*.json"))


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_a_build_from_the_cache_is_the_same_site(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = _entries()
    first = build_site(project, tmp_path / "first")
    assert first.returncode == 0, first.stderr[-3000:]
    made = _entries() - before
    # the guide, whose text no build had before, rendered in each language (the other pages
    # are new entries too only when the shared cache has let their earlier renderings go)
    marker = (project / "docs" / "guide.md").read_text(encoding="utf-8").split()[2]
    assert len([p for p in made if marker in p.read_text(encoding="utf-8")]) == 3
    second = build_site(project, tmp_path / "second")
    assert second.returncode == 0, second.stderr[-3000:]
    assert _entries() - before == made  # nothing rendered again
    uncached = build_site(project, tmp_path / "uncached", "-v")  # verbose: every page rendered
    assert uncached.returncode == 0, uncached.stderr[-3000:]
    a, b = _files(tmp_path / "second"), _files(tmp_path / "uncached")
    entry = "pagefind/pagefind-entry.json"  # Pagefind orders its languages as it likes
    assert json.loads(a.pop(entry)) == json.loads(b.pop(entry))
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_the_cache_is_what_the_build_shows_until_the_page_changes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = _entries()
    assert build_site(project, tmp_path / "site").returncode == 0
    marked = 0
    for path in _entries() - before:
        entry = json.loads(path.read_text(encoding="utf-8"))
        # the zh-TW guide (the English site shows it too, with a notice)
        if "第二節" in entry["content"] and "admonition" not in entry["content"]:
            entry["content"] = entry["content"].replace("正文", "快取的正文")
            path.write_text(json.dumps(entry), encoding="utf-8")
            marked += 1
    assert marked == 1
    render_cache.RENDERED.memory.clear()
    assert build_site(project, tmp_path / "site").returncode == 0
    assert "快取的正文" in (tmp_path / "site" / "guide" / "index.html").read_text("utf-8")
    guide = project / "docs" / "guide.md"
    guide.write_text(guide.read_text("utf-8") + "\n補充。\n", encoding="utf-8")
    assert build_site(project, tmp_path / "site").returncode == 0
    html = (tmp_path / "site" / "guide" / "index.html").read_text("utf-8")
    assert "快取的正文" not in html
    assert "補充。" in html


def test_a_warning_of_rendering_is_given_by_every_build(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "docs" / "links.md").write_text("# 連結\n\n見[後來的頁](later.md)。\n", "utf-8")
    for run in ("first", "from the cache"):
        result = build_site(project, tmp_path / "site")
        assert result.returncode == 1, run
        assert result.stderr.count(MISSING) == 1, run
        assert "Aborted with 1 warnings in strict mode!" in result.stdout, run


def test_a_new_file_renders_the_pages_that_link_to_it_again(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "docs" / "links.md").write_text("# 連結\n\n見[後來的頁](later.md)。\n", "utf-8")
    assert build_site(project, tmp_path / "site").returncode == 1
    (project / "docs" / "later.md").write_text("# 後來的頁\n", "utf-8")
    result = build_site(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (tmp_path / "site" / "links" / "index.html").read_text("utf-8")
    assert '<a href="../later/">後來的頁</a>' in html


def test_a_quiet_build_does_not_keep_a_warning_from_the_next_build(tmp_path: Path) -> None:
    # `mkdocs build -q` sets MkDocs' logger to ERROR: its renderings record no warning, and a
    # later build from them must still give the warning (and fail in strict mode)
    project = _project(tmp_path)
    (project / "docs" / "links.md").write_text(
        f"# 連結 {uuid.uuid4().hex}\n\n見[後來的頁](later.md)。\n", "utf-8"
    )
    quiet = build_site(project, tmp_path / "quiet", "-q")
    assert MISSING not in quiet.stderr
    result = build_site(project, tmp_path / "site")
    assert result.stderr.count(MISSING) == 1
    assert result.returncode == 1


@pytest.mark.parametrize("library", ["mkdocs", "mkdocs-static-i18n"])
def test_a_rendering_is_not_reused_by_another_version_of_what_rewrites_its_links(
    library: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MkDocs' Page.render rewrites and checks the links (its warnings' text is MkDocs'), with
    # mkdocs-static-i18n's Files.get_file_from_path choosing the language's file of a link
    from types import SimpleNamespace

    from llmcourse import disk_cache

    file = SimpleNamespace(src_uri="a.md", dest_uri="a/index.html", url="a/")
    page = SimpleNamespace(file=file, markdown="[b](b.md)\n")
    config = SimpleNamespace(
        markdown_extensions=["toc"], mdx_configs={}, validation={}, use_directory_urls=True
    )
    keys = []
    for version in ("1.0", "2.0"):
        real = disk_cache.metadata.version
        monkeypatch.setattr(
            disk_cache.metadata,
            "version",
            lambda name, v=version, real=real: v if name == library else real(name),
        )
        disk_cache.versions.cache_clear()
        keys.append(render_cache._key(page, config, [], "toolkit"))  # type: ignore[arg-type]
    disk_cache.versions.cache_clear()
    assert keys[0] != keys[1]


def test_every_warning_of_a_page_is_given_again_from_the_cache(tmp_path: Path) -> None:
    project = _project(tmp_path)
    links = "".join(f"見[第 {n} 頁](later-{n}.md)。\n\n" for n in range(1, 21))
    (project / "docs" / "links.md").write_text(f"# 連結 {uuid.uuid4().hex}\n\n{links}", "utf-8")
    shown = []
    for run in ("first", "from the cache"):
        result = build_site(project, tmp_path / "site")
        assert result.returncode == 1, run
        shown.append(
            sorted(line for line in result.stderr.splitlines() if "links.md' contains" in line)
        )
    assert len(shown[0]) == 20
    assert shown[1] == shown[0]


def test_the_records_of_a_rendering_are_all_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # each record is let go once handled: a later one may get its id (its memory) again
    import logging

    monkeypatch.setattr(logging.getLogger("mkdocs"), "level", logging.INFO)
    # no handler that keeps records (pytest's own), as in a build
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setattr(logging.getLogger("mkdocs"), "handlers", [])
    log = logging.getLogger("mkdocs.structure.pages")
    with render_cache._records() as records:
        for n in range(20):
            log.warning("Doc file 'a.md' contains a link 'missing-%d.md'", n)
    assert [message for _, _, message in records] == [
        f"Doc file 'a.md' contains a link 'missing-{n}.md'" for n in range(20)
    ]
