"""The Chinese scripts pages are converted between (zh-TW ⇄ zh-CN), read once from
locales/glossary/scripts.yaml: conversion knowledge, apart from the language list (pages)."""

from __future__ import annotations

from llmcourse import LOCALES, yamlfile

TABLE = LOCALES / "glossary" / "scripts.yaml"
#: The Han characters both scripts write (CJK unified ideographs, extension A, compatibility).
HAN_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
#: The characters OpenCC's character tables may change: CJK radicals, symbols and ideographs of
#: the basic plane (beside surrogates and private use) and of planes 2 and 3.
CJK_RANGES = ((0x2E80, 0xD800), (0xF900, 0x10000), (0x20000, 0x31350))
#: One Han character of HAN_BLOCKS, as a regular expression's class.
HAN_CLASS = "[" + "".join(f"{chr(a)}-{chr(b - 1)}" for a, b in HAN_BLOCKS) + "]"


def _read() -> dict[str, dict[str, str]]:
    data = yamlfile.read(TABLE)
    if (
        not isinstance(data, dict)
        or len(data) != 2
        or not all(
            isinstance(v, dict)
            and isinstance(v.get("glossary"), str)
            and isinstance(v.get("chars"), str)
            for v in data.values()
        )
    ):
        raise ValueError(f"{TABLE}:1:1: expected two scripts, each with glossary and chars")
    return {str(k): v for k, v in data.items()}


_TABLE = _read()
#: The two scripts, in the table's order ("zh-TW", "zh-CN").
SCRIPTS: tuple[str, ...] = tuple(_TABLE)
#: script -> the glossary direction (and OpenCC chain) that writes it: "zh-CN" -> "tw2cn"
GLOSSARY_INTO: dict[str, str] = {s: v["glossary"] for s, v in _TABLE.items()}
#: script -> OpenCC's character-level config that writes a character in it
CHARS_INTO: dict[str, str] = {s: v["chars"] for s, v in _TABLE.items()}


def other(script: str) -> str:
    """The other Chinese script: zh-TW -> zh-CN, zh-CN -> zh-TW."""
    if script not in _TABLE:
        raise ValueError(f"unknown script {script!r}; expected one of {', '.join(SCRIPTS)}")
    return next(s for s in SCRIPTS if s != script)
