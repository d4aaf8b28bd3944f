"""Results kept across language builds and builds (llmcourse.disk_cache, convert.as_built):
made once per key, made again when anything in the key changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmcourse import convert, disk_cache


def test_a_result_is_made_once_then_read_from_disk(tmp_path: Path) -> None:
    calls = []
    store = disk_cache.Store(tmp_path, keep=2)
    assert store.get("k", lambda: calls.append(1) or {"a": "模型"}) == {"a": "模型"}
    fresh = disk_cache.Store(tmp_path, keep=2)  # the next build: memory empty, the disk kept
    assert fresh.get("k", lambda: pytest.fail("made again")) == {"a": "模型"}
    assert calls == [1]


def test_a_damaged_entry_is_made_again(tmp_path: Path) -> None:
    disk_cache.Store(tmp_path, keep=2).get("k", lambda: "old")
    (tmp_path / "k.json").write_bytes(b'"trunc')
    assert disk_cache.Store(tmp_path, keep=2).get("k", lambda: "new") == "new"
    assert (tmp_path / "k.json").read_text(encoding="utf-8") == '"new"'


def test_only_the_most_recently_used_entries_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(disk_cache, "EVICT_EVERY", 1)  # trim at every new entry
    store = disk_cache.Store(tmp_path, keep=2)
    store.get("a", lambda: "a")
    store.get("b", lambda: "b")
    os.utime(tmp_path / "a.json", (1000, 1000))  # a is the older of the two
    os.utime(tmp_path / "b.json", (2000, 2000))
    fresh = disk_cache.Store(tmp_path, keep=2)
    assert fresh.get("a", lambda: pytest.fail("made again")) == "a"  # read: used again
    fresh.get("c", lambda: "c")
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["a.json", "c.json"]


def test_text_with_a_lone_surrogate_is_kept_as_it_was(tmp_path: Path) -> None:
    """A notebook's "\\ud800" escape decodes to a lone surrogate, which UTF-8 cannot write."""
    text = "模型 \ud800 x"
    assert disk_cache.Store(tmp_path, keep=2).get("k", lambda: {"text": text}) == {"text": text}
    fresh = disk_cache.Store(tmp_path, keep=2)
    assert fresh.get("k", lambda: pytest.fail("made again")) == {"text": text}


def test_source_digest_changes_with_any_file(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n", encoding="utf-8")
    data = tmp_path / "tw2cn.txt"
    data.write_text("軟體\t软件\n", encoding="utf-8")
    before = disk_cache.source_digest([tmp_path / "pkg", data])
    data.write_text("軟體\t软件\n資料庫\t数据库\n", encoding="utf-8")
    after = disk_cache.source_digest([tmp_path / "pkg", data])
    (tmp_path / "pkg" / "b.py").write_text("", encoding="utf-8")
    assert len({before, after, disk_cache.source_digest([tmp_path / "pkg", data])}) == 3


def test_source_digest_sees_an_edit_that_keeps_the_size(tmp_path: Path) -> None:
    """The digest is reused while no file's time or size changed, and taken again when one did."""
    data = tmp_path / "tw2cn.txt"
    data.write_text("軟體\t软件\n", encoding="utf-8")
    os.utime(data, ns=(1_000_000_000, 1_000_000_000))
    before = disk_cache.source_digest([data])
    assert disk_cache.source_digest([data]) == before
    data.write_text("硬體\t硬件\n", encoding="utf-8")  # the same number of bytes
    os.utime(data, ns=(2_000_000_000, 2_000_000_000))
    assert disk_cache.source_digest([data]) != before


def test_a_page_is_converted_once_per_text_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "BUILT", disk_cache.Store(tmp_path, keep=8))
    made = []
    real = convert._MAKERS["markdown"]
    monkeypatch.setitem(
        convert._MAKERS, "markdown", lambda *a, **k: made.append(a) or real(*a, **k)
    )
    text = "# 軟體\n\n資料庫。\n"
    first = convert.as_built("markdown", text, "zh-CN", source="a.md", version="v1")
    assert first == convert.convert_markdown(text, "zh-CN")
    assert convert.as_built("markdown", text, "zh-CN", source="b.md", version="v1") == first
    assert len(made) == 1
    convert.as_built("markdown", text, "zh-CN", source="a.md", version="v2")  # code changed
    convert.as_built("markdown", text + "記憶體\n", "zh-CN", source="a.md", version="v2")
    assert len(made) == 3


def test_a_conversion_error_is_raised_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "BUILT", disk_cache.Store(tmp_path, keep=8))
    bad = "---\nconversion: 3\n---\n\n文字\n"
    for _ in range(2):
        with pytest.raises(convert.ConversionRuleError):
            convert.as_built("markdown", bad, "zh-CN", source="a.md", version="v1")
    assert list(tmp_path.glob("*.json")) == []


def test_the_toolkit_version_covers_code_glossary_config_and_libraries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What convert.as_built's results depend on besides the page: every file of the toolkit,
    the glossary, mkdocs.yml, and the versions of OpenCC and the Markdown renderer."""
    from llmcourse.build import CONFIG
    from llmcourse.glossary import GLOSSARY_DIR

    hashed = []
    monkeypatch.setattr(disk_cache, "source_digest", lambda paths: hashed.extend(paths) or "d")
    version = convert.toolkit_version()
    assert hashed == [Path(convert.__file__).parent, GLOSSARY_DIR, CONFIG]
    for library in ("opencc=", "markdown=", "pymdown-extensions=", "pygments=", "unicode="):
        assert library in version
