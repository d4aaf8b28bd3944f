"""Tests of the zh-TW / zh-CN conversion module (llmcourse.convert, llmcourse.mdspans).

Data lives in tests/cases/: Markdown conversion cases (conversion/*.yaml, schema in
conversion/README.md), the sentence corpus (sentences/{train,heldout}/*.tsv) and fixture pages for
the round-trip test (conversion/pages/, used while docs/ holds no zh-TW page).
"""

from __future__ import annotations

import difflib
import io
import json
import re
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from llmcourse import (
    DOCS,
    chinese,
    conversion_audit,
    convert_command,
    convert_core,
    evaluation,
    glossary,
    mdspans,
    opencc_chain,
    protect,
    slug,
)
from llmcourse import convert as cv

CASES = Path(__file__).resolve().parent / "cases"
CONVERSION = CASES / "conversion"
SENTENCES = CASES / "sentences"
TO = {"tw2cn": "zh-CN", "cn2tw": "zh-TW"}
RENDER = {"tw2tw": "zh-TW", "cn2cn": "zh-CN"}
CASE_KEYS = {"label", "direction", "comment", "input", "expected", "api", "xfail"}
#: Held-out target. A direction listed in HELDOUT_KNOWN_SHORT is a known failure (xfail, strict).
#: First clean measurement (before any held-out miss was seen): tw2cn 107/112 = 95.5 %,
#: cn2tw 106/112 = 94.6 %; see tests/cases/sentences/README.md for the history.
HELDOUT_TARGET = 0.95
HELDOUT_KNOWN_SHORT: dict[str, str] = {}


def _load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CONVERSION.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            where = f"{path.name}[{i}]"
            assert isinstance(case, dict), where
            assert set(case) <= CASE_KEYS, f"{where}: unknown keys {set(case) - CASE_KEYS}"
            assert {"label", "direction", "input", "expected"} <= set(case), where
            assert case["direction"] in {*TO, *RENDER}, where
            assert case.get("api", "markdown") in {"markdown", "text"}, where
            cases.append(case)
    labels = [c["label"] for c in cases]
    assert len(labels) == len(set(labels)), "duplicate case labels"
    return cases


def _load_sentences(split: str) -> list[tuple[str, str, str, str | None]]:
    rows = []
    for direction in TO:
        path = SENTENCES / split / f"{direction}.tsv"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            assert len(parts) in (2, 3), f"{path}:{n}"
            rows.append((direction, parts[0], parts[1], parts[2] if len(parts) == 3 else None))
    return rows


def _xfail(reason: str | None) -> Any:
    return () if reason is None else pytest.mark.xfail(strict=True, reason=reason)


CONVERSION_CASES = _load_cases()
TRAIN = _load_sentences("train")


# ---------------------------------------------------------------------------------------------
# Markdown conversion cases


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=_xfail(c.get("xfail"))) for c in CONVERSION_CASES],
    ids=[c["label"] for c in CONVERSION_CASES],
)
def test_conversion_case(case: dict[str, Any]) -> None:
    """Each case converts to its expected text; protected spans are byte-identical."""
    text, direction = case["input"], case["direction"]
    if direction in RENDER:
        assert cv.render_source(text, RENDER[direction]) == case["expected"]
        return
    if case.get("api") == "text":
        assert cv.convert_text(text, TO[direction]) == case["expected"]
        return
    assert cv.convert_markdown(text, TO[direction]) == case["expected"]
    audit = cv.audit_markdown(text, TO[direction])
    assert audit.ok, [m.message() for m in audit.protected_mismatches]
    assert not [s for s in mdspans.scan(audit.output) if s.is_rule], "rule markers left"


def test_every_protected_kind_is_covered() -> None:
    """The Markdown cases exercise every protected construct, in both directions."""
    kinds: dict[str, set[str]] = {"tw2cn": set(), "cn2tw": set()}
    for case in CONVERSION_CASES:
        if case["direction"] in kinds and case.get("api", "markdown") == "markdown":
            kinds[case["direction"]] |= {s.kind for s in mdspans.scan(case["input"])}
    wanted = {
        "front-matter",
        "identifier",
        "fence",
        "indented-code",
        "code",
        "html",
        "comment",
        "autolink",
        "url",
        "link-target",
        "ref-def",
        "ref-label",
        "ref-text",
        "footnote",
        "attr",
        "snippet",
        "rule",
    }
    for direction, seen in kinds.items():
        assert wanted <= seen, f"{direction}: no case for {sorted(wanted - seen)}"


# ---------------------------------------------------------------------------------------------
# Sentence corpus


@pytest.mark.parametrize(
    ("direction", "source", "expected"),
    [pytest.param(d, s, e, marks=_xfail(x)) for d, s, e, x in TRAIN],
    ids=[f"{d}-{i}" for i, (d, *_rest) in enumerate(TRAIN)],
)
def test_train_sentence(direction: str, source: str, expected: str) -> None:
    """Every sentence the glossary was written from converts exactly."""
    assert cv.convert_text(source, TO[direction]) == expected


@pytest.mark.parametrize(
    "direction",
    [pytest.param(d, marks=_xfail(HELDOUT_KNOWN_SHORT.get(d))) for d in TO],
)
def test_heldout_accuracy(direction: str) -> None:
    """Held-out exact-sentence accuracy: ours ≥ 95 %; plain OpenCC printed for comparison."""
    ours, plain, n = evaluation.sentence_accuracy(direction, "heldout")
    train_ours, train_plain, train_n = evaluation.sentence_accuracy(direction, "train")
    print(
        f"\n{direction}: held-out ours {ours:.1%} vs plain OpenCC {plain:.1%} (n={n}); "
        f"train ours {train_ours:.1%} vs plain {train_plain:.1%} (n={train_n})"
    )
    for _line, source, expected, got, _plain in evaluation.sentence_results(direction, "heldout"):
        if got != expected:
            print(f"  MISS {source}\n       want {expected}\n       got  {got}")
    assert n >= 100
    assert plain < ours
    assert ours >= HELDOUT_TARGET


# ---------------------------------------------------------------------------------------------
# OpenCC's own regression cases (tests/cases/opencc/README.md)

#: Pass rate required in each direction (OpenCC's answer, or a reviewed deliberate difference).
OPENCC_TARGET = 0.98
OPENCC_CASES = evaluation.opencc_cases()


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=_xfail(c.entry.get("xfail")), id=f"{c.config}-{c.id}")
        for c in OPENCC_CASES
    ],
)
def test_opencc_case(case: evaluation.OpenCCCase) -> None:
    """Each OpenCC case gives OpenCC's answer, or the reviewed answer of a listed difference."""
    assert cv.convert_text(case.input, evaluation.OPENCC_TO[case.config]) == case.expected


@pytest.mark.parametrize("config", list(evaluation.OPENCC_TO))
def test_opencc_pass_rate(config: str) -> None:
    """≥ 98 % of OpenCC's cases pass each way; plain OpenCC's own rate is printed beside it."""
    results = evaluation.opencc_results(config)
    same = sum(ours == case.answer for case, ours, _ in results)
    passed = sum(ours == case.expected for case, ours, _ in results)
    plain_same = sum(plain == case.answer for case, _, plain in results)
    n = len(results)
    print(
        f"\n{config}: {passed}/{n} pass ({passed / n:.1%}), {same}/{n} equal OpenCC's answer; "
        f"plain OpenCC {plain_same}/{n}"
    )
    assert n >= 50
    assert passed / n >= OPENCC_TARGET


# ---------------------------------------------------------------------------------------------
# Round trip zh-TW -> zh-CN -> zh-TW


def _zh_tw_sources() -> list[Path]:
    pages = [p for p in sorted(DOCS.rglob("*.md")) if not re.search(r"\.(zh-CN|en)\.md$", p.name)]
    return pages or sorted((CONVERSION / "pages").glob("*.md"))


@pytest.mark.parametrize("page", _zh_tw_sources(), ids=lambda p: p.name)
@pytest.mark.slow
def test_round_trip(page: Path) -> None:
    """zh-TW → zh-CN → zh-TW returns the source wherever two-way glossary terms are used.

    Differences elsewhere (OpenCC one-to-many characters, one-way glossary aliases such as
    擲回例外 → 抛出异常 → 拋出例外) are printed, not failed.
    """
    source = page.read_text(encoding="utf-8")
    forward = cv.audit_markdown(source, "zh-CN", source=str(page))
    assert forward.ok, [m.message() for m in forward.protected_mismatches]
    back = cv.convert_markdown(forward.output, "zh-TW")
    matches = convert_core.convert_md(source, "zh-CN", str(page)).replaced
    two_way = {src for _, src, dst in matches if cv.convert_text(dst, "zh-TW") == src}
    failures, reported = [], []
    ops = difflib.SequenceMatcher(None, source, back, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if i1 == i2:  # an insertion touches a term only strictly inside it
            hit = [src for off, src, _dst in matches if off < i1 < off + len(src)]
        else:
            hit = [src for off, src, _dst in matches if off < i2 and i1 < off + len(src)]
        line = source.count("\n", 0, i1) + 1
        note = f"{page.name}:{line}: {source[i1:i2]!r} -> {back[j1:j2]!r}"
        if any(src in two_way for src in hit):
            failures.append(note + f" (glossary term {hit})")
        else:
            reported.append(note + (f" (one-way glossary alias {hit})" if hit else ""))
    for note in reported:
        print("round trip, known difference:", note)
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# Glossary files


@pytest.mark.parametrize("direction", list(TO))
def test_overlapping_keys_double_no_character(direction: str) -> None:
    """A key followed by a key that starts inside it (寫程式 + 程式碼) converts without doubling
    a character, except the strings read and listed in ``conversion/overlaps/doubled.yaml``."""
    entries = convert_core._work(direction, ()).chain.entries
    by_prefix: dict[str, list[str]] = {}
    for key in entries:
        for i in range(1, len(key)):
            by_prefix.setdefault(key[:i], []).append(key)
    doubled = {}
    for first in entries:
        for i in range(1, len(first)):
            for second in by_prefix.get(first[i:], ()):
                text = first + second[len(first) - i :]
                if len(second) <= len(first) - i or text in doubled:
                    continue
                out = cv.convert_text(text, TO[direction])
                pairs = (m.group() for m in re.finditer(r"(.)\1", out))
                if any(p not in text and p not in entries[first] + entries[second] for p in pairs):
                    doubled[text] = out
    listed = yaml.safe_load((CONVERSION / "overlaps" / "doubled.yaml").read_text(encoding="utf-8"))
    assert doubled == listed[direction]


@pytest.mark.parametrize("direction", list(TO))
def test_glossary_is_valid_and_large(direction: str) -> None:
    """Each direction loads, has ≥ 300 pairs, and works as an OpenCC text dictionary."""
    gloss = cv.glossary(direction)
    assert len(gloss.entries) >= 300
    import opencc

    converter = opencc.OpenCC(str(cv.opencc_config(direction)))
    sample = "預設值" if direction == "tw2cn" else "进程"
    assert converter.convert(sample) == gloss.entries[sample]


def test_glossary_rejects_bad_lines(tmp_path: Path) -> None:
    """Malformed dictionary lines are errors naming file and line."""
    bad = tmp_path / "tw2cn.txt"
    bad.write_text("預設\t默认\n預設\t缺省\n", encoding="utf-8")
    with pytest.raises(cv.ConversionRuleError, match=r"tw2cn.txt:2: duplicate key"):
        glossary.read_dict(bad)
    bad.write_text("介面 接口\n", encoding="utf-8")
    with pytest.raises(cv.ConversionRuleError, match=r"tw2cn.txt:1: expected"):
        glossary.read_dict(bad)


# ---------------------------------------------------------------------------------------------
# Rules


def test_page_rules_are_validated() -> None:
    """The front-matter table gives clear errors naming the page and key."""
    bad = "---\nconversion:\n  - {zh-TW: 程式碼}\n---\n程式碼\n"
    with pytest.raises(cv.ConversionRuleError, match=r"page.md: .*'conversion\[0\]'.*zh-CN"):
        cv.convert_markdown(bad, "zh-CN", source="page.md")
    bad = "---\nconversion: 程式碼\n---\n"
    with pytest.raises(cv.ConversionRuleError, match=r"page.md: .*'conversion' must be a list"):
        cv.convert_markdown(bad, "zh-CN", source="page.md")
    bad = "---\nconversion:\n  - {zh-TW: a, zh-CN: b, zh-HK: c}\n---\n"
    with pytest.raises(cv.ConversionRuleError, match=r"unknown key\(s\) \['zh-HK'\]"):
        cv.convert_markdown(bad, "zh-CN", source="page.md")


def test_inline_rule_errors_name_the_position() -> None:
    """A malformed -{…}- rule is reported with line and column."""
    with pytest.raises(cv.ConversionRuleError, match=r"p.md:2:3: unknown variant 'zh-HK'"):
        cv.convert_markdown("第一行\n文字-{zh-HK:a;zh-CN:b}-\n", "zh-CN", source="p.md")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("文字-{zh-TW:軟體；zh-CN:软件}-\n", r"p.md:1:3: variant zh-TW of .* holds 'zh-CN:'"),
        ("文字-{zh-TW:-{軟體}-;zh-CN:x}-\n", r"p.md:1:3: .* holds another -\{: rules do not nest"),
    ],
    ids=["full-width-semicolon", "nested"],
)
def test_a_rule_that_would_reach_the_page_as_text_is_an_error(text: str, message: str) -> None:
    with pytest.raises(cv.ConversionRuleError, match=message):
        cv.convert_markdown(text, "zh-CN", source="p.md")


def test_output_has_no_rule_markers() -> None:
    """Converted output and render_source output contain no -{ }- markers outside code."""
    text = "甲-{乙}-丙 -{zh-TW:程式;zh-CN:程序}- `-{code}-`\n"
    for out in (
        cv.convert_markdown(text, "zh-CN"),
        cv.convert_markdown(text, "zh-TW"),
        cv.render_source(text, "zh-TW"),
    ):
        assert out.count("-{") == 1 and "`-{code}-`" in out


# ---------------------------------------------------------------------------------------------
# Audit


def test_audit_lists_replacements() -> None:
    """The audit reports each regional term with its position."""
    audit = cv.audit_markdown("標題\n\n使用者介面的`預設`值與預設值\n", "zh-CN")
    assert audit.ok
    got = [(r.line, r.col, r.source, r.result) for r in audit.replacements]
    assert (3, 1, "使用者介面", "用户界面") in got
    assert (3, 13, "預設值", "默认值") in got
    assert all(r.source != "預設" or r.col != 7 for r in audit.replacements)


def test_audit_detects_changed_protected_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    """If a protected span were converted, the audit fails and says where."""
    real_scan = mdspans.scan
    calls = {"n": 0}

    def forgetful_scan(text: str) -> list[mdspans.Span]:
        calls["n"] += 1
        return [] if calls["n"] == 1 else real_scan(text)

    monkeypatch.setattr(mdspans, "scan", forgetful_scan)
    audit = cv.audit_markdown("段落\n\n```\n預設值\n```\n", "zh-CN")
    assert not audit.ok
    assert audit.protected_mismatches[0].line == 3


# ---------------------------------------------------------------------------------------------
# Notebooks


def _notebook(cells: list[dict[str, Any]]) -> str:
    nb = {
        "cells": cells,
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def test_notebook_converts_markdown_cells_only() -> None:
    """Markdown cells convert; code cells and outputs never; formatting is kept."""
    code = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c1",
        "metadata": {},
        "source": ["# 預設值\n", "print('資料')"],
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["資料\n"]}],
    }
    md = {
        "cell_type": "markdown",
        "id": "m1",
        "metadata": {},
        "source": ["## 預設設定\n", "\n", "使用 `預設值` 的程式碼"],
    }
    text = _notebook([md, code])
    out = cv.convert_notebook(text, "zh-CN")
    nb = json.loads(out)
    assert nb["cells"][0]["source"] == ["## 默认设置\n", "\n", "使用 `預設值` 的代码"]
    assert nb["cells"][1] == code
    expected = json.loads(text)
    expected["cells"][0]["source"] = nb["cells"][0]["source"]
    assert out == json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
    unchanged = _notebook([code])
    assert cv.convert_notebook(unchanged, "zh-CN") == unchanged


#: A matrix's rows and columns: 列 and 行 in Taiwan, 行 and 列 on the mainland.
ROWS_AND_COLUMNS = {
    "llmcourse": {"conversion": [{"zh-TW": "列", "zh-CN": "行"}, {"zh-TW": "行", "zh-CN": "列"}]}
}


def _rows_and_columns_notebook(text: str) -> str:
    nb = json.loads(_notebook([{"cell_type": "markdown", "metadata": {}, "source": text}]))
    nb["metadata"].update(ROWS_AND_COLUMNS)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def test_notebook_metadata_table_converts_every_markdown_cell() -> None:
    """A notebook's own table (metadata llmcourse.conversion, shown nowhere, where an inline
    rule would show in Colab) swaps a matrix's rows and columns; 執行 stays a longer match."""
    text = _rows_and_columns_notebook("排成 4 列 × 8 行的矩陣，每一列各自執行。")
    out = json.loads(cv.convert_notebook(text, "zh-CN", source="q.ipynb"))
    assert out["cells"][0]["source"] == "排成 4 行 × 8 列的矩阵，每一行各自运行。"
    assert out["metadata"] == json.loads(text)["metadata"]
    back = _rows_and_columns_notebook("排成 4 行 × 8 列的矩阵，每一行各自运行。")
    assert json.loads(cv.convert_notebook(back, "zh-TW"))["cells"][0]["source"] == (
        "排成 4 列 × 8 行的矩陣，每一列各自執行。"
    )
    # without the table, OpenCC's characters: the rows stay 列
    plain = _notebook([{"cell_type": "markdown", "metadata": {}, "source": "每一列"}])
    assert json.loads(cv.convert_notebook(plain, "zh-CN"))["cells"][0]["source"] == "每一列"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"llmcourse": [1]}, "q.ipynb: notebook metadata key 'llmcourse' must be a mapping"),
        (
            {"llmcourse": {"conversion": {"zh-TW": "列"}}},
            "q.ipynb: notebook metadata key 'llmcourse.conversion' must be a list of "
            "{zh-TW: …, zh-CN: …} mappings",
        ),
        (
            {"llmcourse": {"conversion": [{"zh-TW": "列", "zh-CN": "行"}, {"zh-TW": "行"}]}},
            "q.ipynb: notebook metadata key 'llmcourse.conversion[1]'.zh-CN: "
            "missing or not a non-empty string",
        ),
        (
            {
                "llmcourse": {
                    "conversion": [{"zh-TW": "列", "zh-CN": "行"}, {"zh-TW": "列", "zh-CN": "排"}]
                }
            },
            "q.ipynb: notebook metadata key 'llmcourse.conversion[1]'.zh-TW: "
            "'列' is already mapped to '行'",
        ),
    ],
)
def test_notebook_metadata_table_errors_name_the_notebook_and_key(
    metadata: dict[str, Any], message: str
) -> None:
    nb = json.loads(_notebook([{"cell_type": "markdown", "metadata": {}, "source": "列"}]))
    nb["metadata"].update(metadata)
    with pytest.raises(cv.ConversionRuleError) as error:
        cv.convert_notebook(json.dumps(nb), "zh-CN", source="q.ipynb")
    assert str(error.value) == message


# ---------------------------------------------------------------------------------------------
# Heading slugs


@pytest.mark.parametrize(
    ("tw", "cn"),
    [
        ("預設設定", "默认设置"),
        ("使用者介面與應用程式介面", "用户界面与应用程序接口"),
        ("使用 pipeline 進行推論", "使用 pipeline 进行推理"),
        ("檔案與資料夾", "文件与文件夹"),
        ("品質與效能", "质量与性能"),
    ],
)
def test_heading_slug_is_script_independent(tw: str, cn: str) -> None:
    """A heading gets the same anchor in its zh-TW and zh-CN versions."""
    assert cv.heading_slug(tw) == cv.heading_slug(cn)
    assert cv.heading_slug(tw) == cv.heading_slug(cv.convert_text(tw, "zh-CN"))
    assert cv.heading_slug(cn) == cv.heading_slug(cv.convert_text(cn, "zh-TW"))


def test_heading_slug_basics() -> None:
    """Lowercase, punctuation removed, ASCII kept, separator honoured."""
    assert cv.heading_slug("What's New? 第 2 版！") == "whats-new-第-2-版"
    assert cv.heading_slug("A  B", "_") == "a_b"
    token = cv.SLUG_SCRIPT.set("zh-CN")
    try:
        assert cv.heading_slug("文件") == "文件"
    finally:
        cv.SLUG_SCRIPT.reset(token)
    assert cv.heading_slug("文件") == cv.heading_slug("文档")


def test_heading_slug_in_python_markdown_toc() -> None:
    """Used as toc's slugify, every heading of a page gets the same id in both scripts."""
    for page in _zh_tw_sources():
        tw = page.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        cn = cv.convert_markdown(tw, "zh-CN")
        ids = []
        for text in (tw, cn):
            md = markdown.Markdown(
                extensions=["toc", "attr_list"],
                extension_configs={"toc": {"slugify": cv.heading_slug}},
            )
            html = md.convert(text)
            ids.append(re.findall(r'<h\d id="([^"]+)"', html))
        assert ids[0] == ids[1], page


def _toc_ids(text: str) -> list[str]:
    """The heading ids Python-Markdown gives a page, with the site's toc slugify."""
    md = markdown.Markdown(
        extensions=["toc", "attr_list", "meta"],
        extension_configs={"toc": {"slugify": cv.heading_slug}},
    )
    return re.findall(r'<h\d id="([^"]+)"', md.convert(text))


ANCHOR_CASES = [c for c in CONVERSION_CASES if "-anchor-" in c["label"]]


@pytest.mark.parametrize("case", ANCHOR_CASES, ids=[c["label"] for c in ANCHOR_CASES])
def test_generated_page_has_the_source_anchors(case: dict[str, Any]) -> None:
    """Rendered by Python-Markdown, the generated page has exactly the source page's ids, which
    it would not have without the explicit ids (the case's headings do not round-trip)."""
    to = TO[case["direction"]]
    source = cv.render_page(case["input"], "zh-TW" if to == "zh-CN" else "zh-CN")
    converted = convert_core.convert_md(case["input"], to, "<case>", record=False).output
    assert _toc_ids(cv.convert_markdown(case["input"], to)) == _toc_ids(source)
    assert _toc_ids(converted) != _toc_ids(source)


def test_audit_reports_a_changed_identifier(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Were a front-matter identifier converted, ``convert --audit`` names its file:line:col."""
    page = tmp_path / "p.md"
    page.write_text("---\ntitle: 預設\nicon: material/資料庫\n---\n正文\n", encoding="utf-8")
    real_scan = mdspans.scan
    calls = {"n": 0}

    def careless_scan(text: str) -> list[mdspans.Span]:  # the converter's scan forgets them
        calls["n"] += 1
        spans = real_scan(text)
        return [s for s in spans if s.kind != "identifier"] if calls["n"] == 1 else spans

    monkeypatch.setattr(mdspans, "scan", careless_scan)
    code, out, err = _run([str(page)], audit=True)
    assert code == 1
    assert err == (
        f"{page}:3:7: protected identifier changed: 'material/資料庫' -> 'material/数据库'\n"
    )


def test_identifier_keys_come_from_data() -> None:
    """Keys and patterns of protected-keys.yaml decide; other keys are prose."""
    assert [mdspans.is_identifier_key(k) for k in ("icon", "edit_url", "title", "url_text")] == [
        True,
        True,
        False,
        False,
    ]


# ---------------------------------------------------------------------------------------------
# Command line


def _run(paths: list[str], **kw: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = convert_command.command(
        paths, to=kw.get("to", "zh-CN"), audit=kw.get("audit", False), stdout=out, stderr=err
    )
    return code, out.getvalue(), err.getvalue()


def test_command_converts_and_audits(tmp_path: Path) -> None:
    """The CLI prints the conversion, or with --audit the terms replaced."""
    page = tmp_path / "p.md"
    page.write_text("預設值與 `預設值`\n", encoding="utf-8")
    assert _run([str(page)]) == (0, "默认值与 `預設值`\n", "")
    code, out, err = _run([str(page)], audit=True)
    assert code == 0 and err == ""
    assert out == f"{page}:1:1: 預設值 → 默认值\n"
    nb = tmp_path / "n.ipynb"
    nb.write_text(
        _notebook([{"cell_type": "markdown", "metadata": {}, "source": "程式碼"}]), encoding="utf-8"
    )
    code, out, _ = _run([str(nb)])
    assert code == 0 and json.loads(out)["cells"][0]["source"] == "代码"
    code, out, _ = _run([str(nb)], audit=True)
    assert code == 0 and out == f"{nb}#cell0:1:1: 程式碼 → 代码\n"
    nb.write_text(_rows_and_columns_notebook("4 列 × 8 行"), encoding="utf-8")
    code, out, _ = _run([str(nb)], audit=True)  # the notebook's own table is audited too
    assert (code, out) == (0, f"{nb}#cell0:1:3: 列 → 行\n{nb}#cell0:1:9: 行 → 列\n")


def test_command_errors(tmp_path: Path) -> None:
    """Usage errors exit 2; invalid UTF-8 and bad rules exit 1 naming file:line:col."""
    page = tmp_path / "p.md"
    page.write_text("x\n", encoding="utf-8")
    assert _run([str(page)], to="zh-HK")[0] == 2
    assert _run([])[0] == 2
    assert _run([str(tmp_path / "missing.md")])[0] == 2
    bad = tmp_path / "bad.md"
    bad.write_bytes("第一行\n預設".encode() + b"\xff" + "值".encode())
    code, _, err = _run([str(bad)])
    assert code == 1 and f"{bad}:2:3: not valid UTF-8" in err
    rules = tmp_path / "rules.md"
    rules.write_text("---\nconversion: [1]\n---\n", encoding="utf-8")
    code, _, err = _run([str(rules)])
    assert code == 1 and f"{rules}: front matter key 'conversion[0]'" in err


# ---------------------------------------------------------------------------------------------
# Bounded, faithful conversion: any number of protected pieces, private-use text kept

#: Every private-use character (BMP area, planes 15 and 16): the converter must add none.
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _code_span_page(n: int, direction: str) -> tuple[str, str]:
    """A page of ``n`` code spans, each followed by a glossary term, and its expected conversion.

    Each span and each term is a protected piece: 2n pieces, past the 65,533 distinct
    placeholders (and the 131,072 code points) the converter once had.
    """
    src, dst = ("程式碼", "代码") if direction == "tw2cn" else ("代码", "程式碼")
    source = "".join(f"`c{i}` {src}和 " for i in range(n)) + "\n"
    expected = "".join(f"`c{i}` {dst}和 " for i in range(n)) + "\n"
    return source, expected


@pytest.mark.parametrize("direction", list(TO))
@pytest.mark.parametrize("n", [70_000, 140_000])
@pytest.mark.slow
def test_many_code_spans_round_trip(n: int, direction: str) -> None:
    """Every code span comes out byte-identical, every term converted, no placeholder left."""
    source, expected = _code_span_page(n, direction)
    output = cv.convert_markdown(source, TO[direction])
    assert not PRIVATE_USE.search(output), "a placeholder leaked into the page"
    assert output == expected


@pytest.mark.slow
def test_many_code_spans_render_unchanged() -> None:
    """render_page leaves a zh-TW page of 140,000 code spans exactly as written."""
    source, _ = _code_span_page(140_000, "tw2cn")
    assert cv.render_page(source, "zh-TW") == source


@pytest.mark.slow
def test_many_code_spans_audit_clean() -> None:
    """The audit of 70,000 spans (with as many -{…}- rules) finds every span intact."""
    source = "".join(f"-{{API}}- `c{i}` 預設值 " for i in range(70_000)) + "\n"
    audit = cv.audit_markdown(source, "zh-CN")
    assert (audit.output, audit.protected_mismatches) == (
        "".join(f"API `c{i}` 默认值 " for i in range(70_000)) + "\n",
        [],
    )


@pytest.mark.slow
def test_private_use_text_kept_among_many_spans() -> None:
    """Private-use characters and the placeholder itself survive beside 70,000 spans.

    Past 65,533 pieces the old placeholders were plane-16 characters such as U+100000; text
    holding those must not be taken for a piece either.
    """
    piece = "`c{i}`\U000f0000程式碼\U00100000\ue000預設值\U000f0000 "
    source = "".join(piece.format(i=i) for i in range(70_000)) + "\n"
    expected = source.replace("程式碼", "代码").replace("預設值", "默认值")
    assert cv.convert_markdown(source, "zh-CN") == expected


class _Tampering:
    """An OpenCC stand-in that converts nothing and changes the placeholders it is given."""

    def __init__(self, change: str) -> None:
        self.change = change

    def convert(self, text: str) -> str:
        if self.change == "drop":
            return text.replace(protect.PLACEHOLDER, "", 1)
        return text + protect.PLACEHOLDER


@pytest.mark.parametrize(
    ("change", "message"),
    [("drop", "returned 1 placeholders for 2 protected"), ("add", "returned 3 placeholders for 2")],
)
def test_lost_or_extra_placeholder_is_an_error(
    monkeypatch: pytest.MonkeyPatch, change: str, message: str
) -> None:
    """If OpenCC ever lost or added a placeholder, conversion fails instead of corrupting."""
    monkeypatch.setattr(opencc_chain.Chain, "converter", lambda self: _Tampering(change))
    with pytest.raises(cv.PlaceholderError, match=message):
        cv.convert_markdown("`a` 程式碼 `b`\n", "zh-CN")


def _course_pieces(size: int) -> list[str]:
    """Course pages (front matter removed) repeated until they hold ``size`` bytes."""
    bodies = []
    for page in _zh_tw_sources():
        text = page.read_text(encoding="utf-8")
        fm = mdspans.split_front_matter(text)
        bodies.append(text[fm.end if fm else 0 :].strip("\n") + "\n\n")
    per_round = sum(len(b.encode("utf-8")) for b in bodies)
    return bodies * (size // per_round + 1)


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda text: cv.convert_markdown(text, "zh-CN"), id="convert_markdown"),
        pytest.param(lambda text: cv.render_page(text, "zh-TW"), id="render_page"),
    ],
)
@pytest.mark.slow
def test_large_page_converts_like_its_pieces(render: Any) -> None:
    """A 2 MB page made of course pages gives exactly its pages' outputs, concatenated."""
    pieces = _course_pieces(2_000_000)
    assert render("".join(pieces)) == "".join(render(piece) for piece in pieces)


def test_audit_diff_of_many_differing_spans_pairs_them() -> None:
    """Past the difflib budget, differing spans are paired in order (linear, not quadratic)."""
    a = ["same", *[("code", f"a{i}") for i in range(2500)], "end"]
    b = ["same", *[("code", f"b{i}") for i in range(2500)], ("code", "extra"), "end"]
    assert conversion_audit._opcodes(a, b) == [
        *[("replace", k, k + 1, k, k + 1) for k in range(1, 2501)],
        ("insert", 2501, 2501, 2501, 2502),
    ]


def _links_and_code(text: str) -> tuple[list[str], list[str]]:
    """The link targets and the code a page renders to, with the site's Markdown extensions."""
    import mkdocs.config  # the extension list is the site's, read from mkdocs.yml

    config = mkdocs.config.load_config(str(DOCS.parent / "mkdocs.yml"))
    md = markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )
    html = md.convert(text)
    return re.findall(r'href="([^"]*)"', html), re.findall(r"<code[^>]*>(.*?)</code>", html, re.S)


MARKDOWN_CASES = [
    c
    for c in CONVERSION_CASES
    if c["direction"] in TO and c.get("api", "markdown") == "markdown" and not c.get("xfail")
]


@pytest.mark.parametrize("case", MARKDOWN_CASES, ids=[c["label"] for c in MARKDOWN_CASES])
def test_generated_page_keeps_links_and_code(case: dict[str, Any]) -> None:
    """Rendered as the site renders it, the generated page links where the source links (its
    headings' permalinks included: the same ids) and shows the source's code byte for byte (a
    reference defined in a quote, code after a heading)."""
    output = cv.convert_markdown(case["input"], TO[case["direction"]])
    assert _links_and_code(output) == _links_and_code(case["input"])


@pytest.mark.parametrize("config", sorted({c for _, c in slug.PLAIN + slug.TAIWAN}))
def test_character_configs_change_only_cjk_ranges(config: str) -> None:
    """What slug.char_script reads from opencc_chain.char_changes: the character configs change
    no character outside chinese.CJK_RANGES (controls, surrogates, private use aside), and the table
    holds what the converter makes of each character alone."""
    edges = [0, *(edge for r in chinese.CJK_RANGES for edge in r), 0xF0000]
    outside = [
        chr(c)
        for start, stop in zip(edges[::2], edges[1::2], strict=True)
        for c in range(start, stop)
        if c >= 0x20 and not 0xD800 <= c < 0xF900
    ]
    converter = opencc_chain.converter(config)
    converted = converter.convert("\n".join(outside)).split("\n")
    assert [a for a, b in zip(outside, converted, strict=True) if a != b] == []
    table = opencc_chain.char_changes(config)
    sample = sorted(table)[:: max(1, len(table) // 200)]
    assert {ch: converter.convert(ch) for ch in sample} == {ch: table[ch] for ch in sample}
