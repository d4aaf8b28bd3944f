"""The project's dictionaries built into OpenCC's own segmentation and conversion chain."""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc

from . import CACHE, chinese, disk_cache, write_if_changed

__all__ = [
    "OPENCC",
    "SHARE",
    "Chain",
    "Segmenter",
    "chain",
    "char_changes",
    "converter",
    "shipped_keys",
]

#: glossary direction -> (shipped OpenCC config, its plain character-level counterpart)
OPENCC = {"tw2cn": ("tw2sp.json", "t2s.json"), "cn2tw": ("s2twp.json", "s2t.json")}
#: glossary direction -> index of the conversion stage that uses the segmentation's dictionary
#: (s2twp: STPhrases in stage 0; tw2sp: TSPhrases in stage 1, after the Taiwan-phrase stage)
OUR_STAGE = {"tw2cn": 1, "cn2tw": 0}
_PACKAGE = Path(opencc.__file__).resolve().parent / "clib"
SHARE = _PACKAGE / "share" / "opencc"
_DICT_TOOL = _PACKAGE / "bin" / "opencc_dict"
_CACHE = CACHE / "opencc"


def _cache_dir() -> Path:
    """``.cache/opencc`` beside the project (or a temporary folder if it is read-only)."""
    try:
        _CACHE.mkdir(parents=True, exist_ok=True)
        return _CACHE
    except OSError:
        fallback = Path(tempfile.gettempdir()) / "llmcourse-opencc"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


def _text_dict(entries: Mapping[str, str]) -> str:
    """An OpenCC text dictionary: sorted ``key<TAB>value`` lines."""
    return "".join(f"{k}\t{entries[k]}\n" for k in sorted(entries))


def _write_dict(entries: Mapping[str, str], stem: str) -> Path:
    """Write ``entries`` as a text dictionary named by its content (only if it is new)."""
    text = _text_dict(entries)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return write_if_changed(_cache_dir() / f"{stem}-{digest}.txt", text)


def _absolutize(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (str(SHARE / v) if k == "file" and isinstance(v, str) else _absolutize(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolutize(v) for v in node]
    return node


def _union(first: list[dict[str, Any]], shipped: dict[str, Any]) -> dict[str, Any]:
    """A group where the longest match over ``first`` and ``shipped`` wins (ties: ``first``)."""
    return {"type": "group", "match_policy": "union", "dicts": [*first, shipped]}


@functools.cache
def shipped_keys(direction: str) -> frozenset[str]:
    """The keys of the shipped segmentation dictionaries of ``direction`` (dumped once)."""
    config = json.loads((SHARE / OPENCC[direction][0]).read_text(encoding="utf-8"))
    keys: set[str] = set()
    for path in _dict_files(config["segmentation"]["dict"]):
        keys.update(line.split("\t", 1)[0] for line in _dump(path).splitlines() if line)
    return frozenset(keys)


@functools.cache
def _early_phrases(direction: str) -> tuple[tuple[str, str], ...]:
    """(key, first value) of the phrase dictionaries of the stages before ours.

    tw2sp segments with TSPhrases only and converts Taiwan phrases (軟體動物, 乙太網路) in its
    first stage, inside whatever segment they fall in.
    """
    config = json.loads((SHARE / OPENCC[direction][0]).read_text(encoding="utf-8"))
    pairs: dict[str, str] = {}
    for stage in config["conversion_chain"][: OUR_STAGE[direction]]:
        for path in _dict_files(stage["dict"]):
            if "Phrases" not in path.name:
                continue
            for line in _dump(path).splitlines():
                key, _, values = line.partition("\t")
                if key and values:
                    pairs.setdefault(key, values.split(" ")[0])
    return tuple(pairs.items())


def _containing(texts: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """The items of ``texts`` whose key holds one of ``keys`` and is longer than it."""
    keys = set(keys)
    lengths = sorted({len(k) for k in keys})
    out = {}
    for text, value in texts.items():
        if any(
            text[i : i + n] in keys
            for n in lengths
            if n < len(text)
            for i in range(len(text) - n + 1)
        ):
            out[text] = value
    return out


def _dict_files(node: dict[str, Any]) -> Iterator[Path]:
    if node.get("type") == "group":
        for child in node["dicts"]:
            yield from _dict_files(child)
    else:
        yield SHARE / node["file"]


def _dump(path: Path) -> str:
    """The text form of a shipped ``.ocd2`` dictionary, made with OpenCC's ``opencc_dict``."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = _cache_dir() / f"{path.stem}-{digest}.txt"
    if not target.exists():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "dump.txt"
            subprocess.run(
                [str(_DICT_TOOL), "-i", str(path), "-o", str(out), "-f", "ocd2", "-t", "text"],
                check=True,
                capture_output=True,
            )
            write_if_changed(target, out.read_text(encoding="utf-8"))
    return target.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Segmenter:
    """OpenCC's maximum-match segmentation over a key set, replayed in Python.

    :meth:`walk` yields the words (key matches) OpenCC's segmentation finds, so the converter
    knows where a word of ours stands on its own and where it is part of a longer phrase.
    """

    keys: frozenset[str]

    @functools.cached_property
    def _lengths(self) -> dict[str, tuple[int, ...]]:
        lengths: dict[str, set[int]] = {}
        for key in self.keys:
            lengths.setdefault(key[0], set()).add(len(key))
        return {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}

    def match(self, text: str, pos: int, end: int) -> int:
        """Length of the longest key at ``text[pos:]`` within ``end`` (0: none)."""
        for length in self._lengths.get(text[pos], ()):
            if pos + length <= end and text[pos : pos + length] in self.keys:
                return length
        return 0

    def walk(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """(start, end) of each word found in ``text[start:end]``, left to right."""
        pos = start
        lengths = self._lengths
        while pos < end:
            if text[pos] not in lengths:
                pos += 1
                continue
            n = self.match(text, pos, end)
            if n:
                yield pos, pos + n
                pos += n
            else:
                pos += 1


@dataclass(frozen=True)
class Chain:
    """A generated OpenCC config: the shipped chain with our dictionaries built in."""

    direction: str
    config: Path
    #: our (key, value) pairs, layers merged (page rules over the glossary)
    entries: Mapping[str, str]
    #: the segmentation OpenCC runs with this config, replayed in Python
    segmenter: Segmenter

    def converter(self) -> opencc.OpenCC:
        """An OpenCC converter for this chain (loaded once per chain)."""
        return converter(str(self.config))


@functools.lru_cache(maxsize=64)
def converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter for a shipped config name or a config path (loaded once)."""
    return opencc.OpenCC(config)


@functools.cache
def char_changes(config: str) -> dict[str, str]:
    """Each character of :data:`llmcourse.chinese.CJK_RANGES` → what the shipped ``config``
    makes of it alone, where that differs: worked out once per OpenCC version and config, then
    read from ``.cache/opencc-chars/`` (loading a character config takes about 60 ms, which a
    build that renders one edited page would otherwise pay for each of four)."""

    def make() -> dict[str, str]:
        chars = [chr(c) for r in chinese.CJK_RANGES for c in range(*r)]
        converted = converter(config).convert("\n".join(chars)).split("\n")
        return {a: b for a, b in zip(chars, converted, strict=True) if a != b}

    key = f"chars-{config}-{disk_cache.versions('opencc')}-{chinese.CJK_RANGES}"
    return dict(_CHARS.get(hashlib.sha256(key.encode()).hexdigest(), make))  # type: ignore[arg-type]


_CHARS = disk_cache.Store(CACHE / "opencc-chars", keep=8)


def chain(direction: str, layers: tuple[tuple[tuple[str, str], ...], ...]) -> Chain:
    """The OpenCC config for ``direction`` with ``layers`` of (key, value) pairs built in.

    ``layers`` come first to last in priority (page rules, then the glossary): at one position
    the longest key over them and OpenCC's own phrases wins, a tie goes to the earlier layer,
    and OpenCC's dictionaries come last. Every layer joins the segmentation, so a key of ours
    inside a longer OpenCC phrase (内存 in 海内存知己) is not a word there. Stages before ours
    keep our keys unchanged, stages after it keep our values: nothing re-converts our words.

    Generated blockers (below every layer) keep OpenCC's own result where a key of ours would
    cut a longer word: a value that contains its key (算法 → 演算法: a literal 演算法 stays),
    and the phrases of the stages before ours that contain one of our keys (軟體動物).
    """
    return _chain(direction, layers)


@functools.lru_cache(maxsize=64)
def _chain(direction: str, layers: tuple[tuple[tuple[str, str], ...], ...]) -> Chain:
    shipped = _absolutize(json.loads((SHARE / OPENCC[direction][0]).read_text(encoding="utf-8")))
    ours = [dict(layer) for layer in layers if layer]
    merged: dict[str, str] = {}
    for entries in reversed(ours):
        merged.update(entries)
    plain = converter(OPENCC[direction][0]).convert
    # a literal value that holds its own key: 演算法 in a page with 算法 → 演算法
    blockers = {v: plain(v) for k, v in merged.items() if k != v and k in v and v not in merged}
    # OpenCC phrases converted before our stage that hold a key of ours: their words
    early = _containing(dict(_early_phrases(direction)), merged)
    words = {k: v for k, v in early.items() if k not in merged}
    for key, value in early.items():
        if value not in merged:
            blockers.setdefault(value, plain(key))
    files = [
        {"type": "text", "file": str(_write_dict(entries, f"{direction}-{i}"))}
        for i, entries in enumerate([*ours, blockers])
        if entries
    ]
    segmentation = files + (
        [{"type": "text", "file": str(_write_dict(words, f"{direction}-words"))}] if words else []
    )
    all_out = {**blockers, **merged}
    keys = {k: k for k in all_out}
    values = {v: v for v in all_out.values()}
    config = dict(shipped)
    config["segmentation"] = {
        **shipped["segmentation"],
        "dict": _union(segmentation, shipped["segmentation"]["dict"]),
    }
    stages = []
    for index, stage in enumerate(shipped["conversion_chain"]):
        stage_index = OUR_STAGE[direction]
        if index == stage_index:
            first = files
        else:
            identity = keys if index < stage_index else values
            first = (
                [{"type": "text", "file": str(_write_dict(identity, f"{direction}-keep{index}"))}]
                if identity
                else []
            )
        stages.append({**stage, "dict": _union(first, stage["dict"])} if first else stage)
    config["conversion_chain"] = stages
    config["name"] = f"LLM course {direction}: {OPENCC[direction][0]} with the project glossary"
    text = json.dumps(config, ensure_ascii=False, indent=2) + "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = write_if_changed(_cache_dir() / f"{direction}-{digest}.json", text)
    segmenter = Segmenter(shipped_keys(direction) | set(all_out) | set(words))
    return Chain(direction, path, merged, segmenter)
