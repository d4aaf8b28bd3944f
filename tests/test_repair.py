"""Tests of the text-repair module: data-driven cases plus CLI, accuracy and speed checks.

The cases live in ``tests/cases/repair/*.yaml`` (schema in ``tests/cases/repair/README.md``);
the accuracy corpora in ``tests/cases/repair/corpus/``.  Nothing here reads ``../shared``.
"""

from __future__ import annotations

import base64
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmcourse import evaluation, repair

CASES_DIR = Path(__file__).resolve().parent / "cases" / "repair"
CORPUS_DIR = CASES_DIR / "corpus"
KNOWN_KEYS = {
    "label",
    "comment",
    "input",
    "input_hex",
    "input_base64",
    "expected",
    "encoding",
    "findings",
    "positions",
    "error",
    "error_match",
    "xfail",
}
#: Character accuracy the lossy repair must reach on text it has never seen, per damage: a code
#: page that dropped its undefined bytes (seed 001), GBK that wrote U+FFFD for each byte it
#: could not read (more bytes lost, each with 64 candidates; bar set before the first run).
MIN_ACCURACY = {"cp1254": 0.995, "cp1252": 0.995, "gbk": 0.99}


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for case in cases:
            unknown = set(case) - KNOWN_KEYS
            assert not unknown, f"{path.name}: {case.get('label')}: unknown keys {unknown}"
            marks = []
            if case.get("xfail"):
                marks.append(pytest.mark.xfail(strict=True, reason=case["xfail"]))
            params.append(pytest.param(case, id=f"{path.stem}:{case['label']}", marks=marks))
    return params


CASES = _load_cases()


def _input_bytes(case: dict[str, Any]) -> bytes | None:
    if "input_hex" in case:
        return bytes.fromhex("".join(case["input_hex"].split()))
    if "input_base64" in case:
        return base64.b64decode("".join(case["input_base64"].split()), validate=True)
    return None


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any]) -> None:
    """One case file entry: text or bytes in, exact text (or the named error) out."""
    label = case["label"]
    data = _input_bytes(case)
    if case.get("error"):
        assert data is not None, "error cases take bytes"
        error = getattr(repair, case["error"])
        with pytest.raises(error) as info:
            repair.decode_bytes(data, label)
        assert re.search(case["error_match"], str(info.value)), str(info.value)
        return
    findings: list[repair.Finding] = []
    if data is not None:
        decoded = repair.decode_bytes(data, label)
        if "encoding" in case:
            assert decoded.encoding == case["encoding"]
        findings.extend(decoded.findings)
        text = decoded.text
    else:
        text = case["input"]
    rep = repair.repair_text(text, label)
    findings.extend(rep.findings)
    assert rep.text == case["expected"]
    assert rep.changed == (rep.text != text)
    assert "\ufffd" not in rep.text or any(f.kind == "replacement-char" for f in findings)
    kinds = {f.kind for f in findings}
    if "findings" in case:
        assert kinds == set(case["findings"]), [f.format() for f in findings]
    elif rep.text == text and data is None:
        assert not findings, [f.format() for f in findings]
    if "positions" in case:
        where = {f"{f.kind} {f.line}:{f.col}" for f in findings}
        assert where == set(case["positions"]), [f.format() for f in findings]
    for f in findings:
        assert f.source == label
        assert re.fullmatch(r".+:\d+:\d+: [a-z0-9-]+ \(confidence \d\.\d\d\): .+", f.format())


def test_case_labels_unique() -> None:
    labels = [p.values[0]["label"] for p in CASES]
    assert len(labels) == len(set(labels))


# --------------------------------------------------------------------------------------------
# Positions, findings and the API
# --------------------------------------------------------------------------------------------
def test_positions_refer_to_input() -> None:
    """Line/col of a finding point at the damaged run in the input (1-based)."""
    damaged = evaluation.damage_text("模型", "cp1252", "sloppy")
    text = f"第一行\n\nab {damaged} cd\n"
    rep = repair.repair_text(text, "x.md")
    assert rep.text == "第一行\n\nab 模型 cd\n"
    (f,) = rep.findings
    assert (f.line, f.col, f.kind, f.confidence) == (3, 4, "mojibake", 1.0)
    assert f.format().startswith("x.md:3:4: mojibake (confidence 1.00): ")


def test_uncertain_characters_are_reported_with_candidates() -> None:
    rep = repair.repair_text("## ğŸ“ Notebooks\n", "n.md")
    assert "\ufffd" not in rep.text
    unsure = [f for f in rep.findings if f.kind == "lossy-mojibake-uncertain"]
    assert unsure and unsure[0].candidates and (unsure[0].line, unsure[0].col) == (1, 4)
    assert rep.text[3] in unsure[0].candidates
    assert rep.unresolved


def test_repair_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    path.write_bytes("# 模型与数据\n训练过程。\n".encode("gbk"))
    rep = repair.repair_file(path)
    assert rep.text == "# 模型与数据\n训练过程。\n"
    assert rep.encoding == "gbk" and rep.changed


def test_lossy_accuracy_api() -> None:
    text = "我们在训练模型时使用了梯度下降和学习率预热。"
    assert 0.9 <= evaluation.lossy_accuracy(text) <= 1.0
    assert evaluation.lossy_accuracy(text, "cp1252") >= 0.9


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def _run(paths: list[str], **flags: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    opts = {"in_place": False, "check": False, "strict": False, **flags}
    code = repair.command(paths, stdout=out, stderr=err, **opts)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    clean = tmp_path / "clean.md"
    clean.write_text("# 標題\r\n內容，“引號”。\r\n", encoding="utf-8", newline="")
    lossless = tmp_path / "lossless.md"
    lossless.write_text(
        evaluation.damage_text("大型語言模型\n", "cp1252", "sloppy"), encoding="utf-8"
    )
    uncertain = tmp_path / "uncertain.md"
    uncertain.write_text("## ğŸ“ Notebooks\n", encoding="utf-8")
    lost = tmp_path / "lost.md"
    lost.write_text("這個字\ufffd遺失了。\n", encoding="utf-8")
    ambiguous = tmp_path / "ambiguous.md"
    ambiguous.write_bytes(bytes.fromhex("b0aeb6a9"))
    return {p.stem: p for p in (clean, lossless, uncertain, lost, ambiguous)}


def test_cli_stdout(files: dict[str, Path]) -> None:
    code, out, err = _run([str(files["lossless"])])
    assert code == 0 and out == "大型語言模型\n"
    assert re.search(r"lossless\.md:1:1: mojibake \(confidence 1\.00\): ", err)
    code, out, err = _run([str(files["clean"])])
    assert code == 0 and out == "# 標題\r\n內容，“引號”。\r\n" and err == ""


def test_cli_usage_errors(files: dict[str, Path]) -> None:
    assert _run([])[0] == 2
    assert _run([str(files["clean"]), str(files["lossless"])])[0] == 2
    assert _run([str(files["clean"])], check=True, in_place=True)[0] == 2
    assert _run([str(files["clean"]) + ".missing"], check=True)[0] == 2


def test_cli_check(files: dict[str, Path]) -> None:
    before = files["lossless"].read_bytes()
    assert _run([str(files["clean"])], check=True)[0] == 0
    code, out, err = _run([str(files["clean"]), str(files["lossless"])], check=True)
    assert code == 1 and out == "" and "needs repair" in err
    assert files["lossless"].read_bytes() == before
    assert not list(files["lossless"].parent.glob("*.orig*"))


def test_cli_exit_codes_for_confidence(files: dict[str, Path]) -> None:
    assert _run([str(files["uncertain"])])[0] == 0
    assert _run([str(files["uncertain"])], strict=True)[0] == 1
    assert _run([str(files["lossless"])], strict=True)[0] == 0
    code, _, err = _run([str(files["lost"])])
    assert code == 1 and "replacement-char (confidence 0.00)" in err
    code, _, err = _run([str(files["ambiguous"])])
    assert code == 1 and "ambiguous.md" in err and "BIG5" in err and "GBK" in err


def test_cli_in_place_keeps_backups(files: dict[str, Path]) -> None:
    path = files["lossless"]
    original = path.read_bytes()
    code, out, err = _run([str(path), str(files["clean"])], in_place=True)
    assert code == 0 and out == ""
    assert path.read_text(encoding="utf-8") == "大型語言模型\n"
    assert (path.parent / "lossless.md.orig").read_bytes() == original
    assert not (path.parent / "clean.md.orig").exists()
    # a second damaged version must not overwrite the first backup silently
    second = evaluation.damage_text("微調模型\n", "cp1252", "sloppy").encode()
    path.write_bytes(second)
    code, _, err = _run([str(path)], in_place=True)
    assert code == 0 and "lossless.md.orig.1" in err and "already exists" in err
    assert (path.parent / "lossless.md.orig").read_bytes() == original
    assert (path.parent / "lossless.md.orig.1").read_bytes() == second
    assert path.read_text(encoding="utf-8") == "微調模型\n"


def test_cli_never_decodes_european_bytes_as_chinese(tmp_path: Path) -> None:
    """Latin-1 German is valid GB18030: refused (exit 1, even without --strict), not invented."""
    path = tmp_path / "de.md"
    data = "Grüße aus München\n".encode("latin-1")
    path.write_bytes(data)
    code, out, err = _run([str(path)], in_place=True)
    assert (code, out) == (1, "")
    assert err.startswith(f"{path}:1:3: encoding is ambiguous: ")
    assert "GB18030 and as CP1252" in err and "'Grüße aus München'" in err
    assert path.read_bytes() == data and not (tmp_path / "de.md.orig").exists()


def test_cli_reports_code_examples_and_leaves_them(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    text = "亂碼 `æ¨¡åž‹` 的例子。\n\n```\nå¤§åž‹\n```\n"
    path.write_text(text, encoding="utf-8")
    code, out, err = _run([str(path)], in_place=True, strict=True)
    assert (code, out) == (0, "")
    assert path.read_text(encoding="utf-8") == text and not (tmp_path / "x.md.orig").exists()
    assert [line.split(" (")[0] for line in err.splitlines()[:2]] == [
        f"{path}:1:5: mojibake-in-code",
        f"{path}:4:1: mojibake-in-code",
    ]
    assert _run([str(path)], check=True)[0] == 0


# --------------------------------------------------------------------------------------------
# Accuracy on unseen text, and speed
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("codepage", list(MIN_ACCURACY))
@pytest.mark.parametrize("name", ["eval_zh_tw", "eval_zh_cn"])
def test_lossy_accuracy_on_unseen_text(name: str, codepage: str) -> None:
    """Text never used for tuning, damaged like seed 001 (or read as GBK), comes back right."""
    text = (CORPUS_DIR / f"{name}.txt").read_text(encoding="utf-8")
    report = evaluation.lossy_report(text, codepage)
    figure = (
        f"{name} {codepage}: {report.accuracy:.2%} of {report.chars} characters right, "
        f"{report.damaged_accuracy:.2%} of the {report.damaged} damaged ones, "
        f"{report.uncertain} reported uncertain, {report.seconds:.2f} s"
    )
    print(figure)
    assert report.damaged >= 0.1 * report.chars  # the damage is real: ~20 % of CJK hit
    assert report.accuracy >= MIN_ACCURACY[codepage], figure


def test_clean_course_is_left_alone() -> None:
    """A whole course (~250 KB of clean Markdown) comes back unchanged, with no finding.

    Its speed is bench's to measure ("repair of clean text"), not a test's."""
    parts = [p.values[0] for p in CASES if p.values[0]["label"].startswith("clean-")]
    block = "".join(c["input"] for c in parts if "\ufffd" not in c["input"]) + "\n"
    text = block * (250_000 // len(block.encode()) + 1)
    rep = repair.repair_text(text, "course.md")
    assert rep.text == text
    assert rep.findings == []


# --------------------------------------------------------------------------------------------
# Crash safety of --in-place
# --------------------------------------------------------------------------------------------
COURSE = Path(__file__).resolve().parent.parent / "scripts" / "course.py"
IN_PLACE_FILES = 12
IN_PLACE_KILLS = 16


@pytest.mark.slow
def test_in_place_repair_killed_at_random_points(tmp_path: Path) -> None:
    """SIGKILL at random moments of ``repair --in-place``: every file holds its damaged bytes
    or its repaired ones, every backup is absent or complete, and a second run finishes."""
    text = (CORPUS_DIR / "dev_zh_tw.txt").read_text(encoding="utf-8")
    clean = [f"# 第 {i} 頁\n\n{text}" for i in range(IN_PLACE_FILES)]
    damaged = [evaluation.damage_text(t, "cp1252", "sloppy").encode("utf-8") for t in clean]
    names = [f"page-{i}.md" for i in range(IN_PLACE_FILES)]

    def setup(folder: Path) -> list[str]:
        folder.mkdir()
        for name, data in zip(names, damaged, strict=True):
            (folder / name).write_bytes(data)
        return [
            sys.executable,
            str(COURSE),
            "repair",
            "--in-place",
            *(str(folder / n) for n in names),
        ]

    # calibration, to aim the kills: when the first backup appears, and when the run ends
    cmd = setup(tmp_path / "reference")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    while proc.poll() is None:
        if first is None and (tmp_path / "reference" / f"{names[0]}.orig").exists():
            first = time.perf_counter() - start
        time.sleep(0.0002)
    end = time.perf_counter() - start
    assert proc.returncode == 0
    assert [(tmp_path / "reference" / n).read_text(encoding="utf-8") for n in names] == clean

    rng = random.Random(11)
    delays = [rng.uniform(0.8 * (first or 0.0), end) for _ in range(IN_PLACE_KILLS)]

    def attempt(i: int) -> int:
        folder = tmp_path / f"kill-{i}"
        cmd = setup(folder)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delays[i])
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
        repaired = 0
        for name, old, new in zip(names, damaged, clean, strict=True):
            data = (folder / name).read_bytes()
            assert data in (old, new.encode("utf-8")), f"kill {i}: {name} is torn"
            repaired += data != old
            backup = folder / f"{name}.orig"
            assert not backup.exists() or backup.read_bytes() == old, f"kill {i}: {backup}"
            assert backup.exists() or data == old, f"kill {i}: {name} replaced before its backup"
        rerun = subprocess.run(cmd, capture_output=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        for name, old, new in zip(names, damaged, clean, strict=True):
            assert (folder / name).read_text(encoding="utf-8") == new
            assert (folder / f"{name}.orig").read_bytes() == old
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [*names, *(f"{n}.orig" for n in names)]
        ), f"kill {i}: leftovers"
        return repaired

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        done = list(pool.map(attempt, range(IN_PLACE_KILLS)))
    print(
        f"\nin-place: {IN_PLACE_FILES} files, first backup {(first or 0) * 1000:.0f} ms, "
        f"end {end * 1000:.0f} ms; files already repaired when killed: {sorted(done)}"
    )
