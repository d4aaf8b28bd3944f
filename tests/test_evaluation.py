"""The accuracy figures `course.py bench` prints beside plain OpenCC and the previous release.

The previous release's figures come from its own code, taken from git (llmcourse.evaluation):
these tests check that it really is that code that runs, on the text given.
"""

from __future__ import annotations

import pytest

from llmcourse import convert, evaluation


@pytest.mark.slow
def test_previous_release_runs_its_own_code() -> None:
    """47b46c8 fixed glossary keys before OpenCC ran (issue 13): 内存 inside 海内存知己."""
    job = {"convert": {"zh-TW": ["海内存知己", "软件"]}, "repair": ["æ¨¡åž‹"]}
    out = evaluation.run_previous(job, evaluation.previous_release())
    assert out == {"convert": {"zh-TW": ["海記憶體知己", "軟體"]}, "repair": ["模型"]}
    assert convert.convert_text("海内存知己", "zh-TW") == "海內存知己"


def test_previous_release_that_git_lacks_is_named() -> None:
    with pytest.raises(RuntimeError, match="git archive 0000000"):
        evaluation.run_previous({"convert": {}, "repair": []}, "0000000")


def test_weighted_accuracy_counts_each_text_by_its_length() -> None:
    # 3 of 4 characters right in the first text, all 12 in the second: 15 of 16
    texts = [("模型訓練", "模型訓X"), ("大" * 12, "大" * 12)]
    assert evaluation.weighted_accuracy(texts) == 15 / 16
