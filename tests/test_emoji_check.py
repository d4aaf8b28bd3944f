"""Split emoji ZWJ sequences and stray variation selectors: the cases in tests/cases/emoji/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llmcourse import emoji_check

CASES = yaml.safe_load(
    (Path(__file__).parent / "cases" / "emoji" / "cases.yaml").read_text("utf-8")
)
START = {"split": "split emoji sequence: ", "selector": "stray variation selector "}


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["label"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_emoji_case(case: dict) -> None:
    got = list(emoji_check.problems(case["input"]))
    assert [f"{line}:{col}" for line, col, _, _ in got] == [p["at"] for p in case["problems"]]
    for (_, _, message, hint), want in zip(got, case["problems"], strict=True):
        assert message.startswith(START[want["kind"]]), message
        if want["kind"] == "split":
            assert hint.startswith(f"write {want['write']} ("), hint
        else:
            assert hint == f"delete the {want['delete']}", hint
