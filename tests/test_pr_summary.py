"""`course.py pr-summary`: a pull request's effect on the site, as Markdown for its job summary.

A real git repository per test: a base commit from tests/fixtures/sites, then a pull request
commit that edits a zh-TW page (adding a broken link), edits a zh-CN source, renames a page and
deletes one. The summary's lines are compared exactly, and rendered with markdown-it-py (a
CommonMark parser with GFM tables, as the job summary is) to show that a hostile file name
and check message render as text, never as a link, an image or HTML.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import GIT_ID, ROOT, git
from llmcourse import pr_summary

SITES = Path(__file__).parent / "fixtures" / "sites"
COURSE = ROOT / "scripts" / "course.py"
SHA = "0123456789abcdef0123456789abcdef01234567"
BLOB = f"https://github.com/owner/course/blob/{SHA}/"
HOSTILE = "![i](x.png)[x](https:evil.example)<img src=x>`|*a*\n# h.md"


def commit(repo: Path, message: str, day: str) -> None:
    """Commit everything at a fixed date: status compares commit times."""
    env = {
        **os.environ,
        **GIT_ID,
        "GIT_COMMITTER_DATE": f"{day}T12:00:00",
        "GIT_AUTHOR_DATE": f"{day}T12:00:00",
    }
    git(repo, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A base commit, then a pull request branch with one commit on top."""
    docs = tmp_path / "docs"
    shutil.copytree(SITES / "outdated" / "docs", docs)  # guide.md + guide.en.md, index pair
    shutil.copy(SITES / "fallback" / "docs" / "simplified.zh-CN.md", docs)
    (docs / "notes.md").write_text("# 筆記\n\n讀書筆記。\n", encoding="utf-8")
    (docs / "old.md").write_text("# 舊頁\n\n即將刪除。\n", encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "base", "2024-01-01")
    git(tmp_path, "checkout", "-q", "-b", "change")
    guide = docs / "guide.md"
    guide.write_text(
        guide.read_text(encoding="utf-8") + "\n[下一步](missing.md)\n", encoding="utf-8"
    )
    simplified = docs / "simplified.zh-CN.md"
    simplified.write_text(simplified.read_text(encoding="utf-8") + "\n第二段。\n", encoding="utf-8")
    git(tmp_path, "mv", "docs/notes.md", "docs/reading.md")
    git(tmp_path, "rm", "-q", "docs/old.md")
    commit(tmp_path, "change", "2024-02-01")
    return tmp_path


def summary(root: Path, base: str = "main", **kwargs: str) -> str:
    """pr_summary.command's output on the repository at root; it must exit 0."""
    out, err = io.StringIO(), io.StringIO()
    kwargs.setdefault("repo", None)
    kwargs.setdefault("sha", None)
    status = pr_summary.command(base=base, root=root, stdout=out, stderr=err, **kwargs)
    assert (status, err.getvalue()) == (0, "")
    return out.getvalue()


def section(text: str, title: str) -> list[str]:
    """The lines of one ### section, without its title and the blank lines around."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"### {title}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("### ")), None)
    return [line for line in lines[start + 1 : end] if line]


@pytest.mark.slow
def test_summary_of_a_pull_request(repo: Path) -> None:
    text = summary(repo, repo="owner/course", sha=SHA)
    assert text.splitlines()[:3] == [
        "## What this pull request does to the site",
        "",
        "Compared with the merge base of `main`.",
    ]
    assert section(text, "Pages changed") == [
        "| Change | File | Language | Page |",
        "|---|---|---|---|",
        "| modified | `docs/guide.md` | zh-TW | `/guide/` |",
        "| deleted | `docs/old.md` | zh-TW | `/old/` (removed) |",
        "| renamed from `docs/notes.md` | `docs/reading.md` | zh-TW | `/reading/` |",
        "| modified | `docs/simplified.zh-CN.md` | zh-CN | `/zh-CN/simplified/` |",
    ]
    assert section(text, "Generated pages they feed") == [
        "| Page | Made from | How |",
        "|---|---|---|",
        "| `/zh-CN/guide/` | `docs/guide.md` | converted to the other script |",
        "| `/zh-CN/reading/` | `docs/reading.md` | converted to the other script |",
        "| `/en/reading/` | `docs/reading.md` | shown as the English page until it is translated |",
        "| `/simplified/` | `docs/simplified.zh-CN.md` | converted to the other script |",
        "| `/en/simplified/` | `docs/simplified.zh-CN.md` | shown as the English page until it is "
        "translated |",
    ]
    assert section(text, "English pages now outdated") == [
        "| English page | Translation | Changed Chinese source |",
        "|---|---|---|",
        "| `/en/guide/` | `docs/guide.en.md` | `docs/guide.md` |",
    ]
    # The link is on line 5 of guide.md (the fixture's three lines, a blank line, the link).
    assert (repo / "docs" / "guide.md").read_text(encoding="utf-8").splitlines()[4] == (
        "[下一步](missing.md)"
    )
    assert section(text, "`check` findings") == [
        f"- [`docs/guide.en.md:1:1`]({BLOB}docs/guide.en.md?plain=1#L1) `parity with guide.md: "
        "links: link targets missing in English: 'missing.md' (Chinese line 5)` hint: `make them "
        'match, or declare it: parity: [{check: links, reason: "…"}]`',
        f"- [`docs/guide.md:5:1`]({BLOB}docs/guide.md?plain=1#L5) `broken link: 'missing.md' has "
        "no page (looked for missing.md, missing.zh-CN.md)` hint: `fix the path or create the "
        "page`",
    ]


@pytest.mark.slow
def test_fixed_and_translated_together(repo: Path) -> None:
    """The link fixed and the translation updated in one later commit: nothing outdated."""
    guide, en = repo / "docs" / "guide.md", repo / "docs" / "guide.en.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("missing.md", "index.md"), encoding="utf-8"
    )
    en.write_text(en.read_text(encoding="utf-8") + "\n[Next](index.md)\n", encoding="utf-8")
    commit(repo, "fix the link, translate it", "2024-02-02")
    text = summary(repo, repo="owner/course", sha=SHA)
    assert section(text, "Pages changed")[2:] == [
        "| modified | `docs/guide.en.md` | en | `/en/guide/` |",
        "| modified | `docs/guide.md` | zh-TW | `/guide/` |",
        "| deleted | `docs/old.md` | zh-TW | `/old/` (removed) |",
        "| renamed from `docs/notes.md` | `docs/reading.md` | zh-TW | `/reading/` |",
        "| modified | `docs/simplified.zh-CN.md` | zh-CN | `/zh-CN/simplified/` |",
    ]
    assert section(text, "English pages now outdated (0)") == ["None."]
    assert section(text, "`check` findings (0)") == [
        "None: `python3 scripts/course.py check` passes."
    ]


@pytest.mark.slow
def test_nothing_changed_and_no_repository(repo: Path) -> None:
    text = summary(repo, base="change")
    for title in ("Pages changed", "Generated pages they feed", "English pages now outdated"):
        assert section(text, f"{title} (0)") == ["None."]
    # without --repo a finding's place is shown, not linked
    assert section(text, "`check` findings (2)")[1] == (
        "- `docs/guide.md:5:1` `broken link: 'missing.md' has no page (looked for missing.md, "
        "missing.zh-CN.md)` hint: `fix the path or create the page`"
    )


def test_hostile_file_name_and_message_render_as_text(repo: Path) -> None:
    (repo / "docs" / HOSTILE).write_text("# 標題\n", encoding="utf-8")
    commit(repo, "hostile", "2024-02-03")
    text = summary(repo, repo="owner/course", sha=SHA)
    # a code span two backticks long (the name has one), the line break made visible
    shown = "docs/![i](x.png)[x](https:evil.example)<img src=x>`|*a*\\u{a}# h.md"
    quoted = (  # the URL MkDocs gives the page, and the link to the file's line
        "%21%5Bi%5D%28x.png%29%5Bx%5D%28https%3Aevil.example%29%3Cimg%20src%3Dx%3E"
        "%60%7C%2Aa%2A%0A%23%20h"
    )
    table = shown.replace("|", "\\|")  # GFM tables split cells on | before code spans
    assert section(text, "Pages changed")[2] == f"| added | ``{table}`` | zh-TW | `/{quoted}/` |"
    assert section(text, "Generated pages they feed")[2:4] == [
        f"| `/zh-CN/{quoted}/` | ``{table}`` | converted to the other script |",
        f"| `/en/{quoted}/` | ``{table}`` | shown as the English page until it is translated |",
    ]
    assert section(text, "`check` findings")[0] == (
        f"- [``{shown}:1:1``]({BLOB}docs/{quoted}.md?plain=1#L1) ``file name {HOSTILE!r} "
        "has characters that are markup or controls (a folder's name is the section's title)`` "
        "hint: `rename it with letters, digits, '-', '_' and '.'`"
    )
    # Rendered as GitHub renders a job summary (CommonMark, GFM tables): the only links are
    # ours, no image, no HTML, no emphasis; the name is text in code.
    parser = MarkdownIt("commonmark").enable("table")
    html = parser.render(text)
    links = [
        t.attrGet("href")
        for block in parser.parse(text)
        for t in (block.children or [])
        if t.type == "link_open"
    ]
    assert links == [
        f"{BLOB}docs/{quoted}.md?plain=1#L1",
        f"{BLOB}docs/guide.en.md?plain=1#L1",
        f"{BLOB}docs/guide.md?plain=1#L5",
    ]
    assert ("<img" in html, "<em>" in html, "<h1>" in html) == (False, False, False)
    name = "docs/![i](x.png)[x](https:evil.example)&lt;img src=x&gt;`|*a*\\u{a}# h.md"
    assert html.count(f"<code>{name}</code>") == 3  # pages changed, and fed twice
    assert html.count(f"<code>{name}:1:1</code>") == 1  # the finding's place


def cli(*args: str) -> subprocess.CompletedProcess:
    """The real command on this repository, as CI runs it."""
    return subprocess.run(
        [sys.executable, str(COURSE), "pr-summary", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_cli_prints_the_summary_and_exits_0() -> None:
    result = cli("--base", "HEAD", "--repo", "owner/course", "--sha", SHA)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[:3] == [pr_summary.TITLE, "", "Compared with the merge base of `HEAD`."]
    assert [ln for ln in lines if ln.startswith("### ")][:3] == [
        "### Pages changed (0)",
        "### Generated pages they feed (0)",
        "### English pages now outdated (0)",
    ]


@pytest.mark.parametrize(
    "args, error",
    [
        (["--base", "no-such-branch"], "git diff no-such-branch...HEAD failed: fatal: "),
        (["--base=--output=x"], "--base '--output=x' is not a git revision"),
        (
            ["--base", "HEAD", "--repo", "owner/course](https://evil.example)"],
            "--repo 'owner/course](https://evil.example)' is not owner/name",
        ),
        (["--base", "HEAD", "--repo", "owner/course", "--sha", "main"], "--sha 'main' is not"),
        (["--base", "HEAD", "--sha", SHA], "--sha needs --repo"),
        (
            ["--base", "HEAD", "--artifact-url", "https://evil.example/a"],
            "--artifact-url 'https://evil.example/a' is not a GitHub artifact URL",
        ),
    ],
)
@pytest.mark.slow
def test_cli_usage_errors(args: list[str], error: str) -> None:
    result = cli(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"pr-summary: {error}")
