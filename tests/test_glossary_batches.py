"""Glossary batches taken from published sources (``locales/glossary/<batch>.<direction>.txt``).

Each entry converts to its value through the whole chain (OpenCC's phrases, the course's glossary
and every batch together: a longer word elsewhere must not swallow it), batch keys join the
glossary, and a batch key that repeats a key of an earlier file is an error naming file and line.
Where each batch came from and how it was filtered: locales/glossary/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmcourse import convert as cv
from llmcourse import glossary

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "locales" / "glossary"
TO = {"tw2cn": "zh-CN", "cn2tw": "zh-TW"}
BATCHES = sorted(p for d in TO for p in GLOSSARY.glob(f"*.{d}.txt"))


def _entries() -> list[tuple[str, str, str, str]]:
    """(batch file, direction, key, value) of every batch entry."""
    rows = []
    for path in BATCHES:
        direction = path.name.split(".")[-2]
        rows += [(path.name, direction, k, v) for k, v in glossary.read_dict(path).items()]
    return rows


ENTRIES = _entries()


def test_batches_exist_and_join_the_glossary() -> None:
    """The Wikipedia, Wikibooks, cjk-compsci-terms, zhtw and Firefox localization batches are
    there, each way, and all their keys are glossary keys."""
    names = {p.name for p in BATCHES}
    groups = ("it", "math", "communication", "telcom", "electronics", "signals-and-systems")
    groups += ("windows", "apple", "mediawiki")
    groups += ("plt", "physics", "medicine", "psychology", "economics", "game-theory", "philosophy")
    groups += ("linguistics", "language-and-speech", "copyright", "free-license")
    batches = [f"wikipedia-cgroup-{g}" for g in groups]
    batches += ["wikibooks-computer-terms", "cjk-compsci-terms", "rajatim-zhtw-it"]
    batches += ["rajatim-zhtw-common"]
    batches += ["mozilla-firefox-l10n"]
    for batch in batches:
        assert {f"{batch}.tw2cn.txt", f"{batch}.cn2tw.txt"} <= names
    for _name, direction, key, value in ENTRIES:
        assert cv.glossary(direction).entries[key] == value


@pytest.mark.parametrize(
    ("direction", "key", "value"),
    [pytest.param(d, k, v, id=f"{n}:{k}") for n, d, k, v in ENTRIES],
)
def test_batch_entry_converts(direction: str, key: str, value: str) -> None:
    """The key alone converts to exactly its value."""
    assert cv.convert_text(key, TO[direction]) == value


def test_batch_key_repeating_an_earlier_file_is_an_error(tmp_path: Path) -> None:
    """A batch cannot silently override a key of the main dictionary."""
    main = tmp_path / "tw2cn.txt"
    main.write_text("預設\t默认\n", encoding="utf-8")
    batch = tmp_path / "source.tw2cn.txt"
    batch.write_text("# header\n讀卡機\t读卡器\n預設\t缺省\n", encoding="utf-8")
    entries = glossary.read_dict(main)
    with pytest.raises(cv.ConversionRuleError, match=r"source\.tw2cn\.txt:3: duplicate key '預設'"):
        glossary.read_dict(batch, entries)
