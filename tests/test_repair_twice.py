"""Text damaged more than once comes back right; clean Chinese and European text stay as written.

Cases: ``tests/cases/repair/twice/cases.yaml`` (schema and sources in that folder's README).
Each damaged input holds both corpora, zh-CN and zh-TW, damaged by ``tests/twice_damage.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from twice_damage import CORPUS, SOURCES, damaged_path, source_text

from llmcourse import evaluation, repair

KNOWN_KEYS = {"label", "input", "identical", "scenario", "min_accuracy", "xfail"}


def _cases() -> list[Any]:
    params = []
    for case in yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8")):
        unknown = set(case) - KNOWN_KEYS
        assert not unknown, f"{case.get('label')}: unknown keys {unknown}"
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
        params.append(pytest.param(case, id=case["label"], marks=marks))
    return params


@pytest.mark.parametrize("case", _cases())
@pytest.mark.slow
def test_twice_damaged(case: dict[str, Any]) -> None:
    if case.get("identical"):
        data = (CORPUS / case["input"]).read_bytes()
        rep = repair.repair_text(data.decode("utf-8"), case["input"])
        assert rep.text.encode("utf-8") == data
        assert rep.findings == [] and not rep.changed
        return
    repaired = []
    figures = []
    for name in SOURCES:
        expected = source_text(name)
        damaged = damaged_path(case["scenario"], name).read_text(encoding="utf-8")
        assert damaged != expected
        rep = repair.repair_text(damaged, f"{case['scenario']}.{name}")
        # never U+FFFD of its own: a character that cannot be restored stays damaged text
        assert rep.text.count("\ufffd") <= damaged.count("\ufffd")
        figures.append(f"{name} {evaluation.char_accuracy(expected, rep.text):.2%}")
        repaired.append((expected, rep.text))
    assert evaluation.weighted_accuracy(repaired) >= case["min_accuracy"], ", ".join(figures)
