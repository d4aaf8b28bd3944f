"""`course.py check`: every kind of problem in a fixture tree, pathological input, the real docs."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, site_markdown
from llmcourse import check, mdtext, parity

COURSE = ROOT / "scripts" / "course.py"
FIXTURES = Path(__file__).parent / "fixtures" / "check"
CASES = Path(__file__).parent / "cases" / "check"
#: Generous: the pathological inputs take seconds; this only turns a hang into a failure.
TIMEOUT = 300


def cli(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """The real command, run from the project folder as a maintainer or CI runs it."""
    return subprocess.run(
        [sys.executable, str(COURSE), "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run(*paths: str | Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """check.command in this process, from the project folder: (status, stdout, stderr)."""
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    status = check.command([str(p) for p in paths], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def problem_lines(stdout: str) -> list[str]:
    """The report lines, without the summary line."""
    lines = stdout.splitlines()
    assert lines and lines[-1].startswith("check: "), stdout
    return lines[:-1]


# --------------------------------------------------------------------------------------------
# One fixture tree per kind of problem: exit status and exact file:line:col

#: scenario -> the problems it must report, in order: "path:line:col: start of the message".
PROBLEMS: dict[str, list[str]] = {
    "mojibake": ["docs/index.md:3:8: mojibake: 'ä¸\\xadæ–‡' -> '中文'"],
    "bom": ["docs/index.md:1:1: UTF-8 byte order mark at the start of the file"],
    "fffd": ["docs/index.md:3:5: U+FFFD replacement character"],
    "emoji": [
        "docs/index.md:3:4: split emoji sequence: \U0001f9d1 \U0001f52c shows as 2 emoji",
        "docs/index.md:5:4: stray variation selector U+FE0F (emoji presentation) after U+3002",
    ],
    "not-utf8": ["docs/index.md:1:3: not UTF-8: byte 0xbc (invalid start byte); it looks like"],
    # an inline rule that writes a backtick (a table may not: conversion-markup)
    "protected-span": [
        "docs/index.md:3:3: conversion to zh-CN would change text it must keep: "
        "protected code changed"
    ],
    "parity-headings": [
        "docs/attention.en.md:5:1: parity with attention.md: headings: heading levels differ: "
        "English '###', Chinese '##' (Chinese line 5)"
    ],
    "parity-links": [
        "docs/attention.en.md:8:1: parity with attention.md: links: link targets differ: "
        "English 'https://example.com/other'"
    ],
    "parity-images": [
        "docs/attention.en.md:10:1: parity with attention.md: images: images differ: "
        "English 'img/attention-en.svg', Chinese 'img/attention.svg'"
    ],
    "parity-tables": [
        "docs/attention.en.md:12:1: parity with attention.md: tables: table 1 has 3 rows in "
        "English, 2 in the Chinese source"
    ],
    "parity-code": [
        "docs/attention.en.md:18:1: parity with attention.md: code: code block differs from "
        "the Chinese source's block at line 17"
    ],
    "parity-no-reason": [
        "docs/attention.en.md:3:5: parity[0]: declared 'links' difference without a reason",
        "docs/attention.en.md:12:1: parity with attention.md: links: link targets differ",
    ],
    "broken-link": ["docs/index.md:3:3: broken link: 'missing.md' has no page"],
    "broken-anchor-zh": [
        "docs/index.md:3:23: broken anchor: guide.md has no heading with anchor #不存在的標題"
    ],
    "broken-anchor-en": [
        "docs/index.en.md:3:5: broken anchor: guide.en.md has no heading with anchor #setup"
    ],
    "broken-anchor-fallback": [
        "docs/index.md:3:3: broken anchor in the English site (which shows this Chinese page): "
        "the link goes to guide.en.md, which has no anchor #安装步骤"
    ],
    "missing-image": ["docs/index.md:3:1: missing image: img/missing.png does not exist"],
    "frontmatter-yaml": ["docs/index.md:2:10: front matter: mapping values are not allowed here"],
    "frontmatter-unknown-key": ["docs/index.md:3:1: unknown front matter key 'tags'"],
    "unsafe-script": ["docs/index.md:3:1: unsafe HTML: <script> runs code"],
    "unsafe-iframe": ["docs/index.md:3:1: unsafe HTML: <iframe> embeds another site's page"],
    "unsafe-object": ["docs/index.md:3:1: unsafe HTML: <object> embeds plugin content"],
    "unsafe-embed": ["docs/index.md:3:1: unsafe HTML: <embed> embeds plugin content"],
    "unsafe-event": ["docs/index.md:3:38: unsafe HTML: event attribute onerror= runs code"],
    "unsafe-javascript-url": ["docs/index.md:3:8: unsafe URL: javascript: link"],
    "unsafe-data-url": ["docs/index.md:3:10: unsafe URL: data: in href="],
    "unsafe-style": ["docs/index.md:3:1: unsafe HTML: <style> restyles the whole site"],
    "unsafe-form": ["docs/index.md:3:1: unsafe HTML: <form> can send readers' input elsewhere"],
    "unclosed-fence": ["docs/index.md:3:1: code fence ``` is never closed"],
    "binary": ["docs/index.md:3:1: binary data (NUL byte): not a UTF-8 text file"],
    "glossary": [
        "locales/glossary/tw2cn.txt:3:1: no TAB between key and value",
        "locales/glossary/tw2cn.txt:4:1: duplicate key '程式' (first on line 2)",
        "locales/glossary/tw2cn.txt:5:4: empty value for '空值'",
        "locales/glossary/tw2cn.txt:6:2: whitespace in a key or value",
    ],
    "notebook-json": [
        "docs/notebooks/demo.ipynb:3:28: notebook is not valid JSON: "
        "Expecting property name enclosed in double quotes"
    ],
    "notebook-surrogate": [
        "docs/notebooks/demo.ipynb:3:78: notebook holds half a character (a lone UTF-16 "
        "surrogate escape), which no page can show"
    ],
    "notebook-table": [
        "docs/notebooks/demo.ipynb:6:3: notebook metadata key 'llmcourse.conversion[1]'.zh-CN: "
        "missing or not a non-empty string"
    ],
    "two-sources": ["docs/index.zh-CN.md:1:1: two Chinese sources: index.md and index.zh-CN.md"],
    # markup in a table's word would go into the converted page as it is: a link here
    "conversion-markup": [
        "docs/index.md:3:16: conversion rule: front matter key 'conversion[0]'.zh-CN: "
        "'[行](https://example.com/elsewhere)' holds '[': a table maps plain words, without markup"
    ],
    "notebook-table-markup": [
        "docs/notebooks/demo.ipynb:6:3: notebook metadata key 'llmcourse.conversion[0]'.zh-CN: "
        "'<img src=x onerror=alert(1)>' holds '<': a table maps plain words, without markup"
    ],
}
#: Scenarios that must pass: everything valid, a declared difference, unsafe tags in code only.
CLEAN = ["clean", "parity-declared", "unsafe-in-code"]


def test_every_fixture_is_covered() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert on_disk == set(PROBLEMS) | set(CLEAN)


@pytest.mark.parametrize("scenario", sorted(PROBLEMS))
@pytest.mark.slow
def test_problem_is_reported_at_its_place(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = run(f"tests/fixtures/check/{scenario}", monkeypatch=monkeypatch)
    assert status == 1, out + err
    got = problem_lines(out)
    want = [f"tests/fixtures/check/{scenario}/{w}" for w in PROBLEMS[scenario]]
    assert len(got) == len(want), out
    for line, expected in zip(got, want, strict=True):
        assert line.startswith(expected), f"{line!r} does not start with {expected!r}"
        assert "(hint: " in line and line.endswith(")"), line
    n = len(want)
    assert out.splitlines()[-1].startswith(f"check: {n} problem{'s' if n > 1 else ''} in ")


@pytest.mark.parametrize("scenario", CLEAN)
@pytest.mark.slow
def test_clean_tree_passes(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = run(f"tests/fixtures/check/{scenario}", monkeypatch=monkeypatch)
    assert status == 0, out + err
    assert out.splitlines()[-1].endswith("checked, no problems")
    assert len(out.splitlines()) == 1


@pytest.mark.slow
def test_cli_reports_file_line_col_and_exit_status() -> None:
    result = cli("tests/fixtures/check/broken-anchor-zh", "tests/fixtures/check/clean")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(
        "tests/fixtures/check/broken-anchor-zh/docs/index.md:3:23: broken anchor"
    )
    assert result.stdout.splitlines()[-1] == "check: 1 problem in 1 file (11 files checked)"
    assert cli("tests/fixtures/check/clean").returncode == 0


@pytest.mark.slow
def test_files_given_one_by_one_as_pre_commit_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed Chinese source alone still gets its English version compared."""
    base = "tests/fixtures/check/parity-links/docs"
    status, out, _ = run(f"{base}/attention.md", monkeypatch=monkeypatch)
    assert status == 1
    assert problem_lines(out)[0].startswith(f"{base}/attention.en.md:8:1: parity with")
    # assets and files the check has no rule for are accepted quietly
    status, out, _ = run(
        "docs/img/colab.svg", "docs/.import-manifest.json", monkeypatch=monkeypatch
    )
    assert (status, out) == (0, "check: 0 files checked, no problems\n")


def test_missing_path_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = run("no/such/folder", monkeypatch=monkeypatch)
    assert status == 2
    assert "no/such/folder: no such file or directory" in err


def test_invalid_locale_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made here, not committed: the check-yaml pre-commit hook would reject the file."""
    locale = tmp_path / "locales" / "zh-TW.yml"
    locale.parent.mkdir()
    locale.write_text("site_name: 課程\nnav:\n  Home: [未關閉\n", encoding="utf-8")
    (tmp_path / "locales" / "en.yml").write_text("- a list\n", encoding="utf-8")
    status, out, _ = run(tmp_path, monkeypatch=monkeypatch)
    assert status == 1
    assert [line.split(" (hint: ")[0] for line in problem_lines(out)] == [
        f"{tmp_path}/locales/en.yml:1:1: expected a mapping of keys to texts, got list",
        f"{tmp_path}/locales/zh-TW.yml:4:1: invalid YAML: expected ',' or ']', "
        "but got '<stream end>'",
    ]


@pytest.mark.slow
def test_stale_declaration_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "clean" / "docs", docs)
    en = docs / "attention.en.md"
    en.write_text(
        '---\nparity:\n  - {check: code, reason: "the English page shows other code"}\n---\n'
        + en.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    status, out, _ = run(tmp_path, monkeypatch=monkeypatch)
    assert status == 1
    assert problem_lines(out) == [
        f"{en}:3:5: parity[0] declares a 'code' difference from attention.md that no longer "
        "exists (hint: remove the entry)"
    ]


# --------------------------------------------------------------------------------------------
# Pathological input: an answer within seconds, never a hang or a traceback


def _big_page(size: int) -> str:
    """A realistic page of about ``size`` bytes: sections of prose, lists, tables and code.

    Each section links and shows code of its own, as real pages do (thousands of identical
    protected spans make the conversion audit's difflib alignment quadratic).
    """
    parts = ["# 大型語言模型課程筆記\n"]
    total, i = 0, 0
    while total < size:
        i += 1
        section = (
            f"\n## 第 {i} 節：注意力機制與訓練\n\n"
            "注意力讓模型關注輸入中最相關的部分，訓練時以反向傳播更新權重。"
            "這一節整理常見的概念、參考資料與一段可以執行的程式碼。\n\n"
            f"- [論文 {i}](https://arxiv.org/abs/{i:05d}.03762)：原始的 Transformer 論文。\n"
            f"- [圖解 {i}](https://example.com/illustrated/{i}/)：圖解說明。\n\n"
            "| 步驟 | 說明 |\n|------|------|\n| 1 | 計算分數 |\n| 2 | softmax |\n\n"
            f"```python\nscores_{i} = q @ k.T / d ** 0.5\nweights = softmax(scores_{i})\n```\n"
        )
        parts.append(section)
        total += len(section.encode("utf-8"))
    return "".join(parts)


def _tree(tmp_path: Path, content: str | bytes) -> Path:
    page = tmp_path / "docs" / "index.md"
    page.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        page.write_bytes(content)
    else:
        page.write_text(content, encoding="utf-8")
    return page


@pytest.mark.slow
def test_five_megabyte_page_is_refused_at_once(tmp_path: Path) -> None:
    """Larger than a page may be (llmcourse.guard): refused, not left to the build."""
    page = _tree(tmp_path, _big_page(5_000_000))
    size = page.stat().st_size
    assert size >= 5_000_000
    result = cli(str(tmp_path))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert problem_lines(result.stdout) == [
        f"{page}:1:1: {size:,} bytes: larger than the 1,000,000 bytes a page may have "
        "(hint: split it into several pages)"
    ]


@pytest.mark.slow
def test_one_megabyte_page_passes(tmp_path: Path) -> None:
    """Just under the limit, a page of real text builds and checks clean."""
    page = _tree(tmp_path, _big_page(990_000))
    assert 900_000 <= page.stat().st_size <= 1_000_000
    result = cli(str(tmp_path))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout == "check: 1 file checked, no problems\n"


@pytest.mark.slow
def test_500_level_nested_list_is_an_error(tmp_path: Path) -> None:
    page = _tree(tmp_path, "# 標題\n\n" + "".join("  " * i + f"- 第 {i} 層\n" for i in range(500)))
    result = cli(str(tmp_path))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert problem_lines(result.stdout) == [
        f"{page}:53:101: list nested 51 levels deep (at most 50): Python-Markdown cannot "
        "render it (hint: flatten the list)"
    ]


@pytest.mark.parametrize("scenario", ["unclosed-fence", "binary"])
@pytest.mark.slow
def test_unclosed_fence_and_binary_file(scenario: str) -> None:
    result = cli(f"tests/fixtures/check/{scenario}")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    expected = f"tests/fixtures/check/{scenario}/{PROBLEMS[scenario][0]}"
    assert problem_lines(result.stdout)[0].startswith(expected)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("# a" + " " * 1_000_000 + "b\n", "1:1: 1,000,005 bytes: larger than the 1,000,000 bytes"),
        ("[" * 1_000_000 + "\n", "1:1: 1,000,001 bytes: larger than the 1,000,000 bytes"),
        ("<a " * 300_000 + "\n", "1:10001: line of 900,000 characters: longer than the 10,000"),
        ('<a title="x ' * 100_000 + "\n", "1:1: 1,200,001 bytes: larger than the 1,000,000 bytes"),
        ("```\n" * 200_000, "10001:1: more than 5,000 code spans: Python-Markdown's time grows"),
        ("> " * 100_000 + "x\n", "1:10001: line of 200,001 characters: longer than the 10,000"),
        ("\ufffd" * 100_000 + "\n", "1:10001: line of 100,000 characters: longer than the 10,000"),
    ],
    ids=["spaces", "brackets", "tags", "quotes", "fences", "quotes-deep", "fffd"],
)
@pytest.mark.slow
def test_hostile_lines_get_an_answer(tmp_path: Path, content: str, problem: str) -> None:
    """Inputs that make naive regular expressions backtrack: refused by a limit, with the
    place, at once; no traceback, no hang."""
    page = _tree(tmp_path, content)
    result = cli(str(tmp_path))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    *problems, summary = result.stdout.splitlines()
    assert summary == "check: 1 problem in 1 file (1 file checked)"
    assert len(problems) == 1 and problems[0].startswith(f"{page}:{problem}"), problems


def test_time_limit_turns_a_hang_into_an_error() -> None:
    with pytest.raises(check.CheckTimeout, match="spin did not finish within 0.2 s"):
        with check.time_limit(0.2, "spin"):
            end = time.monotonic() + 10
            while time.monotonic() < end:
                pass


# --------------------------------------------------------------------------------------------
# Parity


def test_compare_reports_each_kind_with_english_lines() -> None:
    zh = (FIXTURES / "clean" / "docs" / "attention.md").read_text(encoding="utf-8")
    en = (FIXTURES / "clean" / "docs" / "attention.en.md").read_text(encoding="utf-8")
    assert parity.compare(zh, en, "en") == []
    changed = "---\ntitle: Attention\n---\n" + en.replace(
        "## Computation", "### Computation"
    ).replace("https://arxiv.org/abs/1706.03762", "https://example.com/paper").replace(
        "img/attention.svg", "img/other.svg"
    ).replace("| 2 | softmax |\n", "").replace("d ** 0.5", "d")
    diffs = parity.compare(zh, changed, "en")
    assert [(d.kind, d.line) for d in diffs] == [
        ("headings", 8),
        ("links", 10),
        ("images", 13),
        ("tables", 15),
        ("code", 20),
    ]
    assert all(isinstance(d.message, str) and d.message for d in diffs)


def test_compare_links_inside_the_site_without_their_anchor() -> None:
    zh = "# 標題\n\n[安裝](guide.md#安装步骤) [頁內](#标题)\n"
    en = "# Title\n\n[Install](guide.md#installation) [here](#title)\n"
    assert parity.compare(zh, en, "en") == []
    assert parity.link_key("https://example.com/a#b") == "https://example.com/a#b"


@pytest.mark.parametrize(
    ("meta", "error"),
    [
        ({"parity": "links"}, "must be a list"),
        ({"parity": ["links"]}, "must be a mapping"),
        ({"parity": [{"check": "prose", "reason": "x"}]}, "check must be one of"),
        ({"parity": [{"check": "links"}]}, "without a reason"),
        ({"parity": [{"check": "links", "reason": "  "}]}, "without a reason"),
        ({"parity": [{"check": "links", "reason": "x", "who": "me"}]}, "unknown key(s) who"),
    ],
)
def test_declaration_schema(meta: dict, error: str) -> None:
    declared, errors = parity.validate(meta)
    assert declared == [] or error.startswith("unknown")
    assert errors and error in errors[0].message


def test_declaration_accepts_its_kind_only() -> None:
    meta = {"parity": [{"check": "links", "reason": "the original lists one fewer"}]}
    diffs = [parity.Difference("links", 3, "x"), parity.Difference("code", 9, "y")]
    assert parity.undeclared(diffs, meta) == [diffs[1]]
    assert parity.declarations(meta) == [
        parity.Declaration("links", "the original lists one fewer", 0)
    ]


# --------------------------------------------------------------------------------------------
# Text cases: unsafe HTML and anchors


def _cases(name: str) -> list[dict]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases("unsafe.yaml"), ids=lambda c: c["label"])
def test_unsafe_html_case(case: dict) -> None:
    got = [f"{line}:{col}" for line, col, _ in check.unsafe_problems(case["input"])]
    assert got == case["problems"]


def _markdown_toc_ids(text: str) -> list[str]:
    """Toc ids of a page rendered by Python-Markdown with the site's extensions."""
    md = site_markdown()
    md.convert(text)
    ids: list[str] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            ids.append(token["id"])
            walk(token["children"])

    walk(md.toc_tokens)
    return ids


@pytest.mark.parametrize("case", _cases("anchors.yaml"), ids=lambda c: c["label"])
def test_anchor_case(case: dict) -> None:
    got = check.anchors(case["input"])
    assert got == case["expected"]
    real = _markdown_toc_ids(case["input"])
    assert got[: len(real)] == real


@pytest.mark.slow
def test_anchors_match_python_markdown_on_every_page() -> None:
    pages = sorted((ROOT / "docs").rglob("*.md"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        _, body, _ = mdtext.split_front_matter(text)
        real = _markdown_toc_ids(body)
        assert check.anchors(text)[: len(real)] == real, page


# --------------------------------------------------------------------------------------------
# Notebooks and the real content


@pytest.mark.slow
def test_notebook_that_runs_script_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = json.loads((FIXTURES / "clean" / "docs" / "notebooks" / "demo.ipynb").read_text("utf-8"))
    nb["cells"][1]["outputs"] = [
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"application/javascript": ["alert(1)"]},
        }
    ]
    nb["cells"][0]["source"].append('\n<iframe src="https://example.com/"></iframe>')
    page = tmp_path / "docs" / "notebooks" / "demo.ipynb"
    page.parent.mkdir(parents=True)
    page.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "docs" / "index.md").write_text("# 首頁\n", encoding="utf-8")
    status, out, _ = run(tmp_path, monkeypatch=monkeypatch)
    assert status == 1
    got = problem_lines(out)
    assert got[0].startswith(f"{page}:4:1: cell 1, line 4: unsafe HTML: <iframe>")
    assert got[1].startswith(f"{page}:")
    assert "cell 2: output application/javascript runs script in the page" in got[1]


@pytest.mark.slow
def test_real_docs_and_locales_pass() -> None:
    result = cli()
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.endswith("checked, no problems\n")
