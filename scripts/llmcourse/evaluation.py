"""Accuracy of conversion and repair on the test corpora, beside plain OpenCC and the last release.

The corpora are data under ``tests/cases/`` (the library reads them, it never imports test
code): the sentence sets (``sentences/{train,heldout,eval}``), OpenCC's own regression cases
(``opencc/``), the unseen repair texts (``repair/corpus/eval_*``) and the twice-damaged texts
(``repair/twice/``). The tests assert their thresholds with these functions; ``course.py bench``
prints ``rows()``.

"The previous release" is the commit named in ``bench.yml`` (``previous_release``): its
``scripts/llmcourse`` and ``locales`` are taken with ``git archive`` and run in a child process,
so its figures are measured on the same corpora in the same run, not copied from an old page.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from llmcourse import ROOT, chinese

CASES = ROOT / "tests" / "cases"
SENTENCES_DIR = CASES / "sentences"
SPLITS = ("train", "heldout", "eval")
OPENCC_CASES = CASES / "opencc"
#: OpenCC's configs the course answers for, and the script each converts into.
OPENCC_TO = {"tw2sp": "zh-CN", "s2twp": "zh-TW"}
REPAIR_CORPUS = CASES / "repair" / "corpus"
TWICE = CASES / "repair" / "twice"
BENCH_DATA = Path(__file__).resolve().parent / "bench.yml"


# --------------------------------------------------------------------------- sentences


def read_pairs(direction: str, split: str) -> list[tuple[int, str, str]]:
    """``(line, source, expected)`` of ``tests/cases/sentences/<split>/<direction>.tsv``."""
    path = sentences_file(direction, split)
    pairs = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) not in (2, 3):
            raise ValueError(f"{path}:{lineno}: expected 'source<TAB>expected[<TAB>xfail: why]'")
        pairs.append((lineno, parts[0], parts[1]))
    return pairs


def sentences_file(direction: str, split: str) -> Path:
    return SENTENCES_DIR / split / f"{direction}.tsv"


def target(direction: str) -> str:
    """The script a direction writes (tw2cn: zh-CN)."""
    return next(s for s, d in chinese.GLOSSARY_INTO.items() if d == direction)


def plain_config(direction: str) -> str:
    """The plain OpenCC config the direction is compared with (tw2cn: tw2sp)."""
    from llmcourse import opencc_chain

    return opencc_chain.OPENCC[direction][0]


def sentence_results(direction: str, split: str) -> list[tuple[int, str, str, str, str]]:
    """Per sentence of a corpus split: (line, source, expected, ours, plain OpenCC)."""
    from llmcourse import convert, opencc_chain

    plain = opencc_chain.converter(plain_config(direction))
    return [
        (n, s, e, convert.convert_text(s, target(direction)), plain.convert(s))
        for n, s, e in read_pairs(direction, split)
    ]


def sentence_accuracy(direction: str, split: str) -> tuple[float, float, int]:
    """Exact-sentence accuracy on ``tests/cases/sentences/<split>/<direction>.tsv``.

    Returns (ours, plain OpenCC, number of sentences).
    """
    results = sentence_results(direction, split)
    n = len(results)
    ours = sum(e == o for _, _, e, o, _ in results)
    plain = sum(e == p for _, _, e, _, p in results)
    return (ours / n if n else 0.0, plain / n if n else 0.0, n)


# --------------------------------------------------------------------------- OpenCC's cases


@dataclasses.dataclass(frozen=True)
class OpenCCCase:
    """One answer of OpenCC's regression cases, and the course's reviewed difference if any."""

    config: str
    id: str
    input: str
    answer: str
    #: the differences.yaml entry (``ours`` and ``difference``, or ``xfail``), or {}
    entry: dict[str, str]

    @property
    def expected(self) -> str:
        """The course's expected output: OpenCC's answer, or the listed deliberate difference."""
        return self.entry.get("ours", self.answer)


@functools.cache
def opencc_cases() -> tuple[OpenCCCase, ...]:
    """OpenCC's ``tw2sp``/``s2twp`` cases (``tests/cases/opencc/``), with differences.yaml.

    ValueError names the entry of differences.yaml that is malformed or names no case.
    """
    raw = (OPENCC_CASES / "testcases.json").read_text(encoding="utf-8")
    data = json.loads(re.sub(r",(\s*[}\]])", r"\1", raw))  # OpenCC's file has trailing commas
    listed: dict[tuple[str, str], dict[str, str]] = {}
    entries = yaml.safe_load((OPENCC_CASES / "differences.yaml").read_text(encoding="utf-8"))
    for i, entry in enumerate(entries):
        where = f"{OPENCC_CASES / 'differences.yaml'}: entry {i + 1}"
        kinds = {"difference", "xfail"} & set(entry)
        if (
            entry.get("config") not in OPENCC_TO
            or len(kinds) != 1
            or ("ours" in entry) != ("difference" in entry)
            or not set(entry) <= {"id", "config", "ours", "difference", "xfail"}
        ):
            raise ValueError(
                f"{where}: give id, config ({' or '.join(OPENCC_TO)}) and either "
                "difference with ours, or xfail"
            )
        listed[(entry["config"], entry["id"])] = entry
    cases = []
    for case in data["cases"]:
        for config in OPENCC_TO:
            if config in case["expected"]:
                entry = listed.pop((config, case["id"]), {})
                cases.append(
                    OpenCCCase(config, case["id"], case["input"], case["expected"][config], entry)
                )
    if listed:
        raise ValueError(f"differences.yaml names cases that do not exist: {sorted(listed)}")
    return tuple(cases)


def opencc_results(config: str) -> list[tuple[OpenCCCase, str, str]]:
    """Per OpenCC case of ``config`` (tw2sp, s2twp): (case, ours, plain OpenCC's output)."""
    from llmcourse import convert, opencc_chain

    plain = opencc_chain.converter(config)
    return [
        (case, convert.convert_text(case.input, OPENCC_TO[config]), plain.convert(case.input))
        for case in opencc_cases()
        if case.config == config
    ]


# --------------------------------------------------------------------------- repair


def char_accuracy(expected: str, got: str) -> float:
    """Characters of ``expected`` found, in order, in ``got``, over the longer of the two.

    Dividing by the longer text counts left-over mojibake and invented characters as errors.
    """
    if expected == got:
        return 1.0
    sm = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    return matched / max(len(expected), len(got))


def twice_damaged() -> dict[str, list[tuple[str, str]]]:
    """Per scenario of the twice-damaged corpus, ``(clean text, damaged text)`` per source."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((TWICE / "damaged").glob("*.txt")):
        scenario, name = path.stem.rsplit(".", 1)
        clean = (TWICE / f"source_{name}.txt").read_text(encoding="utf-8")
        out.setdefault(scenario, []).append((clean, path.read_text(encoding="utf-8")))
    return out


def weighted_accuracy(pairs: list[tuple[str, str]]) -> float:
    """``char_accuracy`` over several ``(expected, got)`` texts, weighted by their length."""
    return sum(char_accuracy(e, g) * len(e) for e, g in pairs) / sum(len(e) for e, _ in pairs)


def damage_text(text: str, codepage_name: str = "cp1254", mode: str = "drop") -> str:
    """Damage ``text`` as an editor would: UTF-8 bytes read as ``codepage_name``.

    ``mode`` is ``"drop"`` (undefined bytes dropped), ``"replace"`` (U+FFFD) or ``"sloppy"``
    (undefined bytes kept as C1 controls: lossless). ``codepage_name`` may also be ``"gbk"``
    (``"replace"`` only: one U+FFFD per byte GBK cannot read, as Python's decoder writes).
    """
    from llmcourse import repair

    data = text.encode("utf-8")
    if codepage_name == "gbk":
        if mode != "replace":
            raise ValueError(f"GBK damage is made with mode 'replace', not {mode!r}")
        return data.decode("gbk", errors="replace")
    if mode == "sloppy":
        cp = repair.codepage(codepage_name)
        back = {b: c for c, b in cp.to_byte.items()}
        return "".join(chr(b) if b < 0x80 else back[b] for b in data)
    errors = {"drop": "ignore", "replace": "replace"}[mode]
    return data.decode(codepage_name, errors=errors)


#: How the lossy-repair evaluation damages text read as each codec: the code pages drop their
#: undefined bytes (as seed 001 lost them), GBK writes U+FFFD for each byte it cannot read.
LOSSY_MODES = {"cp1254": "drop", "cp1252": "drop", "gbk": "replace"}


def _lost_bytes(data: bytes, codec: str) -> set[int]:
    """Offsets of the bytes of ``data`` that reading it as ``codec`` cannot decode."""
    lost: set[int] = set()
    pos = 0
    while pos < len(data):
        try:
            data[pos:].decode(codec)
            break
        except UnicodeDecodeError as exc:
            lost.update(range(pos + exc.start, pos + exc.end))
            pos += exc.end
    return lost


@dataclasses.dataclass
class LossyReport:
    """Character accuracy of repairing ``damage_text(clean, codepage)``."""

    chars: int
    damaged: int  # characters that lost at least one byte
    wrong: int
    wrong_damaged: int
    uncertain: int
    seconds: float
    errors: list[tuple[str, str]]

    @property
    def accuracy(self) -> float:
        return 1.0 - self.wrong / self.chars if self.chars else 1.0

    @property
    def damaged_accuracy(self) -> float:
        return 1.0 - self.wrong_damaged / self.damaged if self.damaged else 1.0


def lossy_report(clean_text: str, codepage_name: str = "cp1254") -> LossyReport:
    """Damage ``clean_text`` (drop mode), repair it, and compare character by character."""
    from llmcourse import repair

    t0 = time.perf_counter()
    rep = repair.repair_text(damage_text(clean_text, codepage_name, LOSSY_MODES[codepage_name]))
    seconds = time.perf_counter() - t0
    uncertain = sum(1 for f in rep.findings if f.kind == "lossy-mojibake-uncertain")
    return lossy_compare(clean_text, codepage_name, rep.text, uncertain, seconds)


def lossy_compare(
    clean_text: str, codepage_name: str, out: str, uncertain: int = 0, seconds: float = 0.0
) -> LossyReport:
    """The report of ``out``, a repair of ``clean_text`` damaged in ``codepage_name``."""
    lost = _lost_bytes(clean_text.encode("utf-8"), codepage_name)
    damaged_flags = []
    offset = 0
    for c in clean_text:
        size = len(c.encode("utf-8"))
        damaged_flags.append(any(offset + k in lost for k in range(size)))
        offset += size
    errors: list[tuple[str, str]] = []
    if len(out) == len(clean_text):
        wrong_idx = [i for i, (a, b) in enumerate(zip(clean_text, out, strict=True)) if a != b]
        errors = [(clean_text[i], out[i]) for i in wrong_idx]
        wrong = len(wrong_idx)
        wrong_damaged = sum(1 for i in wrong_idx if damaged_flags[i])
    else:
        sm = difflib.SequenceMatcher(None, clean_text, out, autojunk=False)
        matched = sum(b.size for b in sm.get_matching_blocks())
        wrong = len(clean_text) - matched
        ok = [False] * len(clean_text)
        for blk in sm.get_matching_blocks():
            for i in range(blk.a, blk.a + blk.size):
                ok[i] = True
        wrong_damaged = sum(1 for i, f in enumerate(damaged_flags) if f and not ok[i])
    return LossyReport(
        len(clean_text), sum(damaged_flags), wrong, wrong_damaged, uncertain, seconds, errors
    )


def lossy_accuracy(clean_text: str, codepage: str = "cp1254") -> float:
    """Fraction of the characters of ``clean_text`` restored exactly after lossy damage.

    The text is encoded as UTF-8, decoded as ``codepage`` with its undefined bytes dropped,
    repaired with :func:`llmcourse.repair.repair_text`, and compared with the original.
    """
    return lossy_report(clean_text, codepage).accuracy


# --------------------------------------------------------------------------- previous release

#: Run in a child process with the previous release first on sys.path: reads
#: {"convert": {script: [text, ...]}, "repair": [text, ...]} and writes the outputs the same way.
_PREVIOUS = """
import json, sys
from llmcourse import convert, repair
job = json.load(sys.stdin)
out = {
    "convert": {
        to: [convert.convert_text(t, to) for t in texts] for to, texts in job["convert"].items()
    },
    "repair": [repair.repair_text(t).text for t in job["repair"]],
}
json.dump(out, sys.stdout)
"""


def previous_release() -> str:
    """The commit the figures are compared with (``bench.yml`` ``previous_release``)."""
    return str(yaml.safe_load(BENCH_DATA.read_text(encoding="utf-8"))["previous_release"])


def run_previous(job: dict[str, object], commit: str) -> dict[str, object]:
    """The outputs of ``commit``'s ``convert_text`` and ``repair_text`` for ``job``.

    RuntimeError when the commit cannot be taken out of git or its code fails.
    """
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "scripts/llmcourse", "locales"],
            capture_output=True,
        )
        if archive.returncode:
            raise RuntimeError(f"git archive {commit}: {archive.stderr.decode(errors='replace')}")
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "scripts")}
        done = subprocess.run(
            [sys.executable, "-c", _PREVIOUS],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
        if done.returncode:
            raise RuntimeError(f"{commit}'s code failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout)


# --------------------------------------------------------------------------- the figures


def rows() -> list[tuple[str, str]]:
    """The accuracy figures of ``course.py bench``: ours, plain OpenCC, the previous release."""
    from llmcourse import repair

    commit = previous_release()
    sentence_sets = [
        (d, split, read_pairs(d, split)) for d in ("tw2cn", "cn2tw") for split in SPLITS
    ]
    cases = opencc_cases()
    twice = twice_damaged()
    # text the repair was never tuned on (eval_*; see tests/cases/repair/README.md)
    lossy = [
        (script, codepage, (REPAIR_CORPUS / f"eval_{script}.txt").read_text("utf-8"))
        for script in ("zh_tw", "zh_cn")
        for codepage in LOSSY_MODES
    ]
    unavailable = ""
    job: dict[str, object] = {
        "convert": {},
        "repair": [d for texts in twice.values() for _, d in texts]
        + [damage_text(clean, codepage, LOSSY_MODES[codepage]) for _, codepage, clean in lossy],
    }
    for direction, _split, pairs in sentence_sets:
        job["convert"].setdefault(target(direction), []).extend(s for _, s, _ in pairs)
    for case in cases:
        job["convert"].setdefault(OPENCC_TO[case.config], []).append(case.input)
    try:
        before = run_previous(job, commit)
        previous = {to: iter(out) for to, out in before["convert"].items()}
        previous_repair = iter(before["repair"])
    except (OSError, RuntimeError, ValueError, subprocess.CalledProcessError) as exc:
        previous = previous_repair = None
        unavailable = f"previous release (`{commit}`) not measured: `{str(exc).splitlines()[0]}`"

    def beside(ours: float, plain: float | None, before: float | None, digits: int = 1) -> str:
        parts = [f"ours {ours:.{digits}%}"]
        if plain is not None:
            parts.append(f"plain OpenCC {plain:.{digits}%}")
        if before is None:
            parts.append(unavailable)
        else:
            parts.append(f"previous release (`{commit}`) {before:.{digits}%}")
        return ", ".join(parts)

    out = []
    for direction, split, pairs in sentence_sets:
        ours, bare, n = sentence_accuracy(direction, split)
        to = target(direction)
        then = sum(next(previous[to]) == e for _, _, e in pairs) / n if previous else None
        out.append((f"conversion accuracy {direction} {split} (n={n})", beside(ours, bare, then)))
    for config, to in OPENCC_TO.items():
        results = opencc_results(config)
        n = len(results)
        ours = sum(mine == case.expected for case, mine, _ in results) / n
        bare = sum(plain == case.answer for case, _, plain in results) / n
        then = (
            sum(next(previous[to]) == c.expected for c, _, _ in results) / n if previous else None
        )
        out.append((f"OpenCC's regression cases {config} (n={n})", beside(ours, bare, then)))
    for scenario, texts in twice.items():
        ours = weighted_accuracy([(c, repair.repair_text(d, scenario).text) for c, d in texts])
        then = (
            weighted_accuracy([(c, next(previous_repair)) for c, _ in texts])
            if previous_repair
            else None
        )
        out.append((f"repair of text damaged twice: `{scenario}`", beside(ours, None, then)))
    for script, codepage, clean in lossy:
        ours = lossy_report(clean, codepage).accuracy
        then = (
            lossy_compare(clean, codepage, next(previous_repair)).accuracy
            if previous_repair
            else None
        )
        out.append(
            (
                f"lossy mojibake repair accuracy, unseen {script} text, {codepage}",
                beside(ours, None, then, digits=2),
            )
        )
    return out
