"""Regional vocabulary: check reports it, convert --normalize fixes it, the course has none.

Cases: tests/cases/regional/ (README there); the table: locales/regional.yml.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llmcourse import check, convert, regional

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CASES = yaml.safe_load((ROOT / "tests" / "cases" / "regional" / "cases.yaml").read_text("utf-8"))


def _param(case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["label"], marks=marks)


def _shown(hits: list[regional.Hit]) -> list[str]:
    return [f"{h.line}:{h.col} {h.found}→{h.suggestion}" for h in hits]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict) -> None:
    text, lang = case["input"], case["lang"]
    hits, stale = regional.find(text, lang)
    assert _shown(hits) == case["hits"]
    assert stale == case.get("stale", [])
    normalized, applied = regional.normalize(text, lang)
    assert normalized == case.get("normalized", text)
    assert applied == hits
    # a normalized page reports nothing and normalizing it again changes nothing
    assert regional.find(normalized, lang)[0] == []
    assert regional.normalize(normalized, lang)[0] == normalized


def test_case_labels_are_unique() -> None:
    labels = [c["label"] for c in CASES]
    assert len(labels) == len(set(labels))


def _sources() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        script = regional.script_of(path)
        if script is not None and not any(p.startswith(".") for p in path.parts):
            found.append((path, script))
    return found


def test_course_has_no_unmarked_regional_words() -> None:
    """Every zh-TW source reads Taiwanese and every zh-CN source reads mainland Chinese."""
    sources = _sources()
    assert {s for _, s in sources} == {"zh-TW", "zh-CN"}
    problems = []
    for path, script in sources:
        hits, stale = regional.find(path.read_text(encoding="utf-8"), script)
        rel = path.relative_to(ROOT).as_posix()
        problems += [f"{rel}:{h.line}:{h.col}: {h.found} → {h.suggestion}" for h in hits]
        problems += [f"{rel}: regional[{i}] keeps nothing" for i in stale]
    assert problems == []


def _terms() -> list[object]:
    other = {"zh-TW": "zh-CN", "zh-CN": "zh-TW"}
    known = {
        (k["script"], k["form"]): k["reason"]
        for k in yaml.safe_load((ROOT / "tests/cases/regional/converts-back.yaml").read_text())
    }
    params = []
    for script, side in regional.table().items():
        for term in side.terms.values():
            reason = known.pop((script, term.form), None)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(term, other[script], id=f"{script}-{term.form}", marks=marks)
            )
    assert not known, f"converts-back.yaml lists terms the table does not have: {known}"
    return params


@pytest.mark.parametrize(("term", "to"), _terms())
def test_normalizing_keeps_the_other_script(term: regional.Term, to: str) -> None:
    """Normalizing a source does not change the page the build makes in the other script.

    A zh-TW page that says 數據庫 becomes 数据库 in zh-CN; normalized, it says 資料庫, which
    must become 数据库 too.
    """
    assert convert.convert_text(term.suggestion, to) == convert.convert_text(term.form, to)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "course.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_normalize_command(tmp_path: Path) -> None:
    tw = tmp_path / "page.md"
    tw.write_text("# 向量數據庫\n\n`數據庫` 與 [數據庫](https://x.org/數據庫)\n", encoding="utf-8")
    cn = tmp_path / "page.zh-CN.md"
    cn.write_text("向量资料库。\n", encoding="utf-8")
    clean = tmp_path / "clean.md"
    clean.write_text("向量資料庫。\n", encoding="utf-8")
    before = clean.stat().st_mtime_ns
    result = _run("convert", "--normalize", "page.md", "page.zh-CN.md", "clean.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "page.md:1:5: 數據庫 → 資料庫",
        "page.md:3:10: 數據庫 → 資料庫",
        "page.zh-CN.md:1:3: 资料库 → 数据库",
        "convert --normalize: 3 words replaced in 2 of 3 files",
    ]
    assert tw.read_text(encoding="utf-8") == (
        "# 向量資料庫\n\n`數據庫` 與 [資料庫](https://x.org/數據庫)\n"
    )
    assert cn.read_text(encoding="utf-8") == "向量数据库。\n"
    assert clean.stat().st_mtime_ns == before  # nothing to change: not rewritten
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


def test_normalize_command_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "page.en.md").write_text("Database.\n", encoding="utf-8")
    result = _run("convert", "--normalize", "page.en.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "page.en.md: not a Chinese source" in result.stderr
    result = _run("convert", "--normalize", "--to", "zh-CN", "page.en.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "--normalize takes no --to or --audit" in result.stderr


def test_normalize_command_bad_page_keeps_going(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\nregional: 數據庫\n---\n\n數據庫\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("數據庫\n", encoding="utf-8")
    result = _run("convert", "--normalize", "bad.md", "good.md", cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.md: front matter: front matter 'regional' must be a list" in result.stderr
    assert bad.read_text(encoding="utf-8") == "---\nregional: 數據庫\n---\n\n數據庫\n"
    assert good.read_text(encoding="utf-8") == "資料庫\n"


def test_normalize_names_the_column_of_a_byte_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_bytes("軟體".encode() + b"\xff\n")
    result = _run("convert", "--normalize", "bad.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "convert --normalize: bad.md:1:3: not valid UTF-8 (byte 0xff)\n"


def _check(text: str, lang: str) -> list[str]:
    report = check.FileReport("page.md")
    _, _, _, marks = check.check_front_matter(text, report, lang)
    check.check_regional(text, lang, report, marks)
    return [p.format() for p in report.finish()]


def test_check_reports_word_and_stale_entry() -> None:
    text = "---\nregional:\n  - 《數據庫系統》\n  - 服務器\n---\n\n見《數據庫系統》；向量數據庫。\n"
    assert _check(text, "zh-TW") == [
        "page.md:4:5: regional[1] keeps nothing on this page (hint: remove the entry)",
        "page.md:7:12: mainland word 數據庫 in a zh-TW page: Taiwan writes 資料庫 (database) "
        "(hint: write 資料庫 (python scripts/course.py convert --normalize FILE), or keep a "
        "deliberate use in front matter: regional: [數據庫])",
    ]


def test_check_reports_bad_list_at_its_line() -> None:
    text = "---\ntitle: 標題\nregional: [數據, 3]\n---\n\n正文\n"
    assert _check(text, "zh-TW") == [
        "page.md:3:16: regional[1] must be a non-empty string (hint: write regional: "
        "[數據, 《書名》], the strings kept as written)"
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("terms:\n  - {cn: 数据库, tw: 資料庫, flag: maybe}\n", "2:5: flag must be one of"),
        ("terms:\n  - {cn: 数据库}\n", "2:5: tw must be one word without spaces"),
        ("terms:\n  - {cn: 数据, tw: 資料, keep_tw: [資料庫]}\n", "does not contain 數據"),
        (
            "terms:\n  - {cn: 数据, tw: 資料}\n  - {cn: 数据, tw: 數值}\n",
            "3:5: 數據 is listed twice",
        ),
        ("terms: [\n", "invalid YAML"),
    ],
)
def test_bad_table(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "regional.yml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(regional.TableError, match=message) as info:
        regional.find("正文\n", "zh-TW", path=path)
    assert str(info.value).startswith(str(path))


def test_check_validates_the_table() -> None:
    report = check.FileReport("locales/regional.yml")
    check.check_yaml_mapping(regional.TABLE.resolve(), report)
    assert report.finish() == []
    out = io.StringIO()
    assert check.command([str(regional.TABLE)], stdout=out, stderr=io.StringIO()) == 0
