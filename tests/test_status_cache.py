"""llmcourse.status.entries is worked out once per docs state and git dates, and only once.

A three-language build asks for the status table nine times; it is computed once. These
tests show that the cache never serves a stale table: a page edited, added or removed, or a
new commit after :func:`status.forget_dates` (each build's start), gives the new table.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import GIT_ID, git
from llmcourse import status


def commit(repo: Path, message: str, day: str) -> None:
    """Commit everything at a fixed date: status compares commit times."""
    git(repo, "add", "-A")
    dates = {"GIT_COMMITTER_DATE": f"{day}T12:00:00", "GIT_AUTHOR_DATE": f"{day}T12:00:00"}
    subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo,
        env={**os.environ, **GIT_ID, **dates},
        check=True,
    )


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 甲\n", encoding="utf-8")
    (docs / "a.en.md").write_text("# A\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "first", "2026-01-01")
    status.forget_dates()
    return docs


def table(docs: Path) -> list[tuple[str, str, str, str | None, str]]:
    return [(e.key, e.lang, e.state, e.changed, e.title) for e in status.entries(docs)]


def test_same_docs_state_is_computed_once(docs: Path, monkeypatch) -> None:
    first = table(docs)
    calls = []
    monkeypatch.setattr(status, "_title", lambda path: calls.append(path) or "x")
    assert table(docs) == first
    assert calls == []


def test_edited_added_and_removed_pages_change_the_table(docs: Path) -> None:
    assert table(docs) == [
        ("a", "zh-TW", "source", "2026-01-01", "甲"),
        ("a", "zh-CN", "converted", "2026-01-01", "甲"),
        ("a", "en", "translated", "2026-01-01", "A"),
    ]
    (docs / "a.md").write_text("# 甲乙\n", encoding="utf-8")
    (docs / "b.zh-CN.md").write_text("# 丙\n", encoding="utf-8")
    (docs / "a.en.md").unlink()
    assert table(docs) == [
        ("a", "zh-TW", "source", "2026-01-01", "甲乙"),
        ("a", "zh-CN", "converted", "2026-01-01", "甲乙"),
        ("a", "en", "fallback", "2026-01-01", "甲乙"),
        ("b", "zh-TW", "converted", None, "丙"),
        ("b", "zh-CN", "source", None, "丙"),
        ("b", "en", "fallback", None, "丙"),
    ]


def test_a_new_commit_shows_after_forget_dates(docs: Path) -> None:
    table(docs)
    (docs / "a.md").write_text("# 甲乙\n", encoding="utf-8")
    assert table(docs)[0] == ("a", "zh-TW", "source", "2026-01-01", "甲乙")
    commit(docs.parent, "second", "2026-02-03")
    assert table(docs)[0] == ("a", "zh-TW", "source", "2026-01-01", "甲乙")  # same build
    status.forget_dates()  # the next build
    assert table(docs)[0:3:2] == [
        ("a", "zh-TW", "source", "2026-02-03", "甲乙"),
        ("a", "en", "outdated", "2026-01-01", "A"),
    ]
