"""llmcourse.sanitize.clean's shortcut and findings: the cases in tests/cases/sanitize/."""

from __future__ import annotations

from pathlib import Path

import nh3
import pytest
import yaml

from llmcourse import sanitize

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
