"""llmcourse.sanitize.clean's shortcut and findings: the cases in tests/cases/sanitize/."""

from __future__ import annotations

from pathlib import Path

import nh3
import pytest
import yaml

from conftest import site_markdown
from llmcourse import mdtext, sanitize

CASES = yaml.safe_load(
    (Path(__file__).parent / "cases" / "sanitize" / "cases.yaml").read_text("utf-8")
)


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["label"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_sanitize_case(case: dict) -> None:
    html = case["input"]
    cleaned = nh3.clean(html, **sanitize._options())
    assert sanitize._spelled_alike(html, cleaned) is case["alike"]
    got, findings = sanitize.clean(html)
    assert got == cleaned
    assert [f.message for f in findings] == case["findings"]


LOCATE = yaml.safe_load(
    (Path(__file__).parent / "cases" / "sanitize" / "locate.yaml").read_text("utf-8")
)


@pytest.mark.parametrize("case", LOCATE, ids=lambda c: c["label"])
def test_a_removal_is_placed_where_the_page_wrote_it(case: dict) -> None:
    source = case["source"]
    body = mdtext.split_front_matter(source)[1]
    _, findings = sanitize.clean(site_markdown().convert(body))
    taken: set[int] = set()
    where = [sanitize.locate(source, f, taken) for f in findings]
    assert [f"{line}:{col}" for line, col in where] == case["where"]


SVG = yaml.safe_load((Path(__file__).parent / "cases" / "sanitize" / "svg.yaml").read_text("utf-8"))


@pytest.mark.parametrize("case", SVG, ids=lambda c: c["label"])
def test_an_svg_file_is_read_as_browsers_read_it(case: dict) -> None:
    taken: set[int] = set()
    got = []
    for finding in sanitize.svg_findings(case["svg"]):
        line, col = sanitize.locate(case["svg"], finding, taken, markdown=False)
        got.append(f"{line}:{col} {finding.message}")
    assert got == case["findings"]
