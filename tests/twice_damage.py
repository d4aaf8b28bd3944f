"""Makes the twice-damaged repair corpus in ``tests/cases/repair/twice/`` and scores a repair.

Each layer of damage is what an editor does to a file: its bytes (UTF-8 of the text so far)
are read in a wrong encoding, and the result is saved again as UTF-8.  A layer is
``CODEC:MODE`` with MODE

* ``sloppy``  undefined bytes kept as their C1 control (U+0080 + byte): lossless;
* ``drop``    undefined or invalid bytes dropped;
* ``replace`` undefined or invalid bytes replaced by U+FFFD;
* ``ask``     undefined or invalid bytes replaced by ``?`` (what a save in a legacy code page
  writes for a character it cannot encode).

``python tests/twice_damage.py`` rewrites the frozen ``damaged/*.txt`` files (only when their
content changes); ``python tests/twice_damage.py --score`` prints the character accuracy of
``llmcourse.repair`` on every scenario.  Making the damage is test code: it stays out of
``scripts/llmcourse/`` (issue 15); the score (``char_accuracy``) is ``llmcourse.evaluation``'s,
which ``course.py bench`` reports too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from llmcourse.evaluation import char_accuracy

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "cases" / "repair" / "twice"
DAMAGED = CORPUS / "damaged"
SOURCES = ("zh_cn", "zh_tw")

#: Scenario name -> layers, first layer first.
SCENARIOS: dict[str, tuple[str, ...]] = {
    "cp1252-sloppy-twice": ("cp1252:sloppy", "cp1252:sloppy"),
    "cp1252-drop-twice": ("cp1252:drop", "cp1252:drop"),
    "cp1252-sloppy-then-drop": ("cp1252:sloppy", "cp1252:drop"),
    "cp1252-replace-then-drop": ("cp1252:replace", "cp1252:drop"),
    "cp1252-drop-then-ask": ("cp1252:drop", "cp1252:ask"),
    "cp1254-drop-then-cp1252-drop": ("cp1254:drop", "cp1252:drop"),
    "cp1252-thrice-drop": ("cp1252:drop", "cp1252:drop", "cp1252:drop"),
    "gbk-then-cp1252-drop": ("gbk:sloppy", "cp1252:drop"),
    "cp1252-drop-then-gbk": ("cp1252:drop", "gbk:sloppy"),
    "big5-then-cp1252-drop": ("big5:sloppy", "cp1252:drop"),
}


def _single_byte_sloppy(data: bytes, codec: str) -> str:
    out = []
    for b in data:
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def damage_layer(text: str, layer: str) -> str:
    """One layer: ``text`` saved as UTF-8, read back as ``codec`` in ``mode``."""
    codec, mode = layer.split(":")
    data = text.encode("utf-8")
    if codec in ("gbk", "big5"):
        # a multi-byte reading: invalid sequences as U+FFFD ("sloppy" here), dropped, or "?"
        decoded = data.decode(codec, errors="replace")
        if mode == "drop":
            return decoded.replace("\ufffd", "")
        if mode == "ask":
            return decoded.replace("\ufffd", "?")
        return decoded
    if mode == "sloppy":
        return _single_byte_sloppy(data, codec)
    decoded = data.decode(codec, errors="replace")  # the source text holds no U+FFFD
    return decoded.replace("\ufffd", {"drop": "", "replace": "\ufffd", "ask": "?"}[mode])


def damage(text: str, layers: tuple[str, ...]) -> str:
    for layer in layers:
        text = damage_layer(text, layer)
    return text


def source_text(name: str) -> str:
    return (CORPUS / f"source_{name}.txt").read_text(encoding="utf-8")


def damaged_path(scenario: str, name: str) -> Path:
    return DAMAGED / f"{scenario}.{name}.txt"


def write_corpus() -> list[Path]:
    """Write every damaged file whose content changed; return the ones written."""
    DAMAGED.mkdir(exist_ok=True)
    written = []
    for scenario, layers in SCENARIOS.items():
        for name in SOURCES:
            path = damaged_path(scenario, name)
            text = damage(source_text(name), layers)
            data = text.encode("utf-8")
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                written.append(path)
    return written


def score() -> None:
    import time

    from llmcourse import repair

    total_ok = total = 0.0
    for scenario in SCENARIOS:
        for name in SOURCES:
            expected = source_text(name)
            damaged = damaged_path(scenario, name).read_text(encoding="utf-8")
            t0 = time.perf_counter()
            rep = repair.repair_text(damaged, f"{scenario}.{name}")
            seconds = time.perf_counter() - t0
            acc = char_accuracy(expected, rep.text)
            total_ok += acc * len(expected)
            total += len(expected)
            print(
                f"{scenario:32} {name}: {acc:7.2%}  fffd={rep.text.count(chr(0xFFFD))}"
                f"  unresolved={len(rep.unresolved)}  {seconds:.1f} s",
                flush=True,
            )
    print(f"{'all':32}      {total_ok / total:7.2%}")


if __name__ == "__main__":
    if "--score" in sys.argv[1:]:
        score()
    else:
        for p in write_corpus():
            print(f"wrote {p.relative_to(HERE.parent)}")
