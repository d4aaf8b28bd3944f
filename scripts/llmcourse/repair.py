"""Repair of community translations (any encoding, any mojibake) to UTF-8: the pipeline.

The public entry point of the repair; each concern lives in a module of its own:

* :mod:`llmcourse.repair_encoding` (:func:`decode_bytes`) tells the file's encoding: UTF-8
  (with or without BOM), UTF-16/32 with BOM, GB18030/GBK or Big5.  Bytes that are valid as
  both GBK and Big5 are decided by the Chinese language model only when one reading is clearly
  more likely; otherwise :class:`EncodingAmbiguous` is raised, naming the file and the
  encodings that fit.  Bytes no supported encoding accepts raise :class:`UndecodableBytes`
  naming ``file:line:col``.
* :func:`repair_text` (here) restores mojibake line by line and run by run, leaving everything
  else byte-identical.  :mod:`llmcourse.repair_mojibake` finds the damage and proposes its
  decodings (on the code page tables of :mod:`llmcourse.repair_codepage`),
  :mod:`llmcourse.repair_line` applies them to a line:

  - UTF-8 read as latin-1 or a Windows code page (cp1250-cp1258), also double-encoded, is
    restored exactly when no byte was lost (``mojibake``);
  - UTF-8 read as GBK/GB18030 or Big5 is restored exactly (``cjk-mojibake``);
  - UTF-8 read as a Windows code page that *dropped* its undefined bytes (or replaced them by
    U+FFFD) is restored by enumerating the missing continuation bytes and choosing, with a
    language model of Chinese (:mod:`llmcourse.langmodel`, through
    :mod:`llmcourse.repair_lossy`), the most likely reading of the whole damaged run
    (``lossy-mojibake``).  A character that cannot be chosen with confidence is written with
    the best candidate and reported as ``lossy-mojibake-uncertain`` with its candidates;
    U+FFFD is never written silently.
  - UTF-8 read as GBK that wrote U+FFFD for each byte it could not read (``涓�浠跺皬浜�`` for
    一件小事) is restored the same way: each U+FFFD is one lost byte, whose candidates are the
    bytes valid UTF-8 allows there and GBK would also have refused (``lossy-cjk-mojibake``).

  - text damaged more than once (read wrongly, saved, read wrongly again, any layer lossy)
    is peeled layer after layer by :mod:`llmcourse.layers`; a ``?`` between surviving bytes
    (``â€?``) stands for a byte a legacy save could not write, and a byte an outer layer lost
    from an inner layer's undefined byte is carried to that layer as its wildcard.  A line
    whose inner layer cannot be peeled without writing U+FFFD stays as the outer layers left
    it (``damage-left``).

  Mojibake inside code (code spans, fenced and indented code blocks, as
  :mod:`llmcourse.mdspans` finds them) is an example, not damage: it is reported as
  ``mojibake-in-code`` at its line and column and never rewritten.

* Neither layer invents Chinese: a decoding that turns plausible European text (Latin-1
  ``Grüße aus München`` read as GB18030, Polish ``ółć`` read as cp1250 mojibake) into
  unlikely text stands only when the language model strongly prefers it
  (:data:`llmcourse.repair_mojibake.STRONG_PREFERENCE`,
  :data:`llmcourse.repair_encoding.AMBIGUITY_MARGIN`); otherwise the text stays as written
  or the file is refused as :class:`EncodingAmbiguous`.
* Every finding is a :class:`Finding` (:mod:`llmcourse.repair_result`), the outcome a
  :class:`Repair`; :func:`command` is the ``course.py repair`` command line.

Clean text takes a fast path: without a mojibake signature (a lead/continuation pair of any
modelled code page, U+FFFD, a GBK/Big5 re-encoding that is valid UTF-8, or ftfy badness in
the non-CJK residue) nothing else runs and the language model is not loaded.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from llmcourse import fsio

from .layers import peel_layers, split_lines
from .repair_codepage import CODEPAGES, codepage, only_controls, tables
from .repair_encoding import decode_bytes
from .repair_line import Group, Pos, line_positions
from .repair_lossy import choose
from .repair_mojibake import (
    FTFY_CONFIG,
    DocContext,
    analyse,
    ftfy_fallback,
    ftfy_suspect,
    needs_work,
)
from .repair_result import (
    CONFIDENT,
    Decoded,
    EncodingAmbiguous,
    Finding,
    Repair,
    RepairError,
    UndecodableBytes,
    short,
)

__all__ = [
    "CODEPAGES",
    "CONFIDENT",
    "FTFY_CONFIG",
    "Decoded",
    "EncodingAmbiguous",
    "Finding",
    "Repair",
    "RepairError",
    "UndecodableBytes",
    "codepage",
    "command",
    "decode_bytes",
    "repair_file",
    "repair_text",
]


# --------------------------------------------------------------------------------------------
# Code in Markdown: mojibake there is an example, not damage
# --------------------------------------------------------------------------------------------
#: Markdown code (mdspans kinds): mojibake there is an example, reported but never rewritten.
_CODE_KINDS = {
    "code": "a code span",
    "fence": "a fenced code block",
    "indented-code": "a code block",
}


def _code_columns(text: str, lines: Sequence[str]) -> dict[int, list[tuple[int, int, str]]]:
    """Code regions of each line: ``lno -> [(start col, end col, kind)]`` (0-based, half-open).

    Code spans, fenced and indented code blocks as :mod:`llmcourse.mdspans` (the scanner the
    converter uses) finds them.  Only lines with non-ASCII code are listed.
    """
    from . import mdspans

    if "`" not in text and "~~~" not in text and "    " not in text and "\t" not in text:
        return {}
    # -{…}- conversion rules are irrelevant here; a malformed one must not stop the repair
    spans = mdspans.scan(text.replace("-{", "-("))
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    out: dict[int, list[tuple[int, int, str]]] = {}
    for span in spans:
        if span.kind not in _CODE_KINDS or text[span.start : span.end].isascii():
            continue
        lno = bisect.bisect_right(starts, span.start) - 1
        while lno < len(lines) and starts[lno] < span.end:
            a = max(span.start, starts[lno]) - starts[lno]
            b = min(span.end, starts[lno + 1]) - starts[lno]
            if not lines[lno][a:b].isascii():
                out.setdefault(lno, []).append((a, b, span.kind))
            lno += 1
    return out


def _mask(line: str, cols: Sequence[tuple[int, int, str]], keep_code: bool) -> str:
    """``line`` with its code (or, ``keep_code``, everything but its code) blanked out."""
    inside = [False] * len(line)
    for a, b, _ in cols:
        inside[a:b] = [True] * (b - a)
    return "".join(
        c if (flag == keep_code or c in "\r\n") else " "
        for c, flag in zip(line, inside, strict=True)
    )


# --------------------------------------------------------------------------------------------
# Text, layer by layer
# --------------------------------------------------------------------------------------------
#: Most layers of damage peeled: UTF-8 read in a wrong encoding, saved, read wrongly again...
MAX_LAYERS = 5


def repair_text(text: str, source: str = "<text>") -> Repair:
    """Repair mojibake in ``text``; lines and runs that are not damaged stay byte-identical.

    Damage is peeled layer after layer (text damaged, saved and damaged again) until nothing
    is left to peel; a line whose deeper layer cannot be peeled without inventing a character
    stays as the last layer that could.  Mojibake inside code (code spans, fenced and indented
    code blocks) is an example, not damage: it is reported as ``mojibake-in-code`` and left as
    written.
    """
    if not needs_work(text):
        return Repair(text, [], False, source)
    return peel_layers(text, source, _peel_once, MAX_LAYERS)


def _peel_once(text: str, source: str) -> tuple[str, list[Finding], dict[int, list[int]]]:
    """One layer of repair: the text, its findings, and per repaired line the input column
    (0-based) each output character came from."""
    lines = split_lines(text)
    code = _code_columns(text, lines)
    prose = [_mask(line, code[i], False) if i in code else line for i, line in enumerate(lines)]
    ctx = analyse(prose)
    groups: list[Group] = []
    work: dict[int, list[Pos]] = {}
    fallback: list[int] = []
    _, sig_re, _ = tables()
    for lno, line in enumerate(prose):
        if line.isascii():
            continue
        if not ("\ufffd" in line or sig_re.search(line) or needs_work(line)):
            continue
        positions = line_positions(line, lno, ctx, groups)
        if any(p.group >= 0 for p in positions) or "\ufffd" in line:
            work[lno] = positions
        elif ftfy_suspect(line):
            fallback.append(lno)
    if any(p.candidates for ps in work.values() for p in ps):
        from .langmodel import load_model

        lm = load_model()
        sample = "".join(p.char for ps in work.values() for p in ps if not p.candidates) + "".join(
            line for i, line in enumerate(prose) if i not in work
        )
        script = lm.script_of(sample)
        choose(list(work.values()), script)
        for ps in work.values():
            for p in ps:
                if only_controls(p.candidates):
                    # which undefined byte it was is for the next layer to tell: U+FFFD is
                    # that layer's wildcard, and a line left with it is given back as it was
                    p.char, p.candidates, p.confidence = "\ufffd", (), 1.0
    findings: list[Finding] = []
    out_lines = list(lines)
    colmaps: dict[int, list[int]] = {}
    for lno, positions in work.items():
        original = lines[lno]
        out_lines[lno] = "".join(
            p.char if p.group >= 0 else original[p.origin : p.end] for p in positions
        )
        colmaps[lno] = [p.origin for p in positions]
        findings.extend(_line_findings(source, lno, original, positions, groups))
    for lno in fallback:
        fixed = _ftfy_fallback_masked(source, lno, lines[lno], code.get(lno, []))
        if fixed is not None:
            out_lines[lno], finding = fixed
            findings.append(finding)
    for lno, cols in code.items():
        findings.extend(_code_findings(source, lno, lines[lno], cols, ctx))
    # U+FFFD left anywhere is reported, never passed on silently
    for lno, line in enumerate(out_lines):
        if "\ufffd" not in line:
            continue
        positions = work.get(lno)
        for col, ch in enumerate(line):
            if ch != "\ufffd":
                continue
            origin = positions[col].origin if positions else col
            findings.append(
                Finding(
                    source,
                    lno + 1,
                    origin + 1,
                    "replacement-char",
                    0.0,
                    "U+FFFD in the input: the original character was lost before this file "
                    "arrived and cannot be restored",
                )
            )
    findings.sort(key=lambda f: (f.line, f.col))
    return "".join(out_lines), findings, colmaps


def _ftfy_fallback_masked(
    source: str, lno: int, line: str, cols: Sequence[tuple[int, int, str]]
) -> tuple[str, Finding] | None:
    """:func:`ftfy_fallback` on the prose of a line, its code left as written."""
    if not cols:
        return ftfy_fallback(source, lno, line)
    out, found = [], None
    pos = 0
    for a, b, _ in [*sorted(cols), (len(line), len(line), "")]:
        piece = line[pos:a]
        fixed = ftfy_fallback(source, lno, piece) if not piece.isascii() else None
        if fixed is not None:
            piece, f = fixed
            found = found or Finding(f.source, f.line, f.col + pos, f.kind, f.confidence, f.detail)
        out.append(piece + line[a:b])
        pos = b
    return ("".join(out), found) if found is not None else None


def _code_findings(
    source: str, lno: int, line: str, cols: Sequence[tuple[int, int, str]], ctx: DocContext
) -> list[Finding]:
    """``mojibake-in-code`` findings for the mojibake the code of one line shows."""
    code_only = _mask(line, cols, True)
    groups: list[Group] = []
    positions = line_positions(code_only, lno, ctx, groups)
    spans: list[tuple[int, int, str]] = []
    for gi, g in enumerate(groups):
        if g.absorbed:
            continue
        chars = [p for p in positions if p.group == gi]
        reading = ""
        if chars and not any(p.candidates for p in chars):
            reading = f" of {short(''.join(p.char for p in chars))}"
        spans.append((g.start, g.end, f"{reading} (UTF-8 read as {g.codec})"))
    if not spans:
        fixed = ftfy_fallback(source, lno, code_only)
        if fixed is not None:
            f = fixed[1]
            start = f.col - 1
            original = f.detail.split(" -> ", 1)[0]
            spans.append((start, start + 1, f" ({original} -> {f.detail.split(' -> ', 1)[1]})"))
    out = []
    for start, end, how in spans:
        where = next((_CODE_KINDS[k] for a, b, k in cols if a <= start < b), "code")
        out.append(
            Finding(
                source,
                lno + 1,
                start + 1,
                "mojibake-in-code",
                1.0,
                f"{short(line[start:end])} looks like mojibake{how} but sits in {where}: "
                "an example, left as written",
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Findings of a repaired line
# --------------------------------------------------------------------------------------------
def _line_findings(
    source: str, lno: int, line: str, positions: list[Pos], groups: list[Group]
) -> list[Finding]:
    out: list[Finding] = []
    by_group: dict[int, list[Pos]] = {}
    for p in positions:
        if p.group >= 0:
            by_group.setdefault(p.group, []).append(p)
    for gi, ps in by_group.items():
        g = groups[gi]
        original = line[g.start : g.end]
        repaired = "".join(p.char for p in ps)
        how = {
            "mojibake": f"UTF-8 read as {g.codec}",
            "cjk-mojibake": f"UTF-8 read as {g.codec}",
            "lossy-mojibake": f"UTF-8 read as {g.codec}, {g.dropped} undefined byte(s) dropped",
            "lossy-cjk-mojibake": f"UTF-8 read as {g.codec}, {g.dropped} byte(s) lost as U+FFFD",
        }[g.kind]
        if g.rounds > 1:
            how += f", encoded {g.rounds} times"
        lossy = [p for p in ps if p.candidates]
        conf = min((p.confidence for p in lossy), default=1.0)
        detail = f"{short(original)} -> {short(repaired)} ({how})"
        if lossy:
            sure = sum(1 for p in lossy if p.confidence >= CONFIDENT)
            detail += f"; {sure}/{len(lossy)} damaged characters chosen with confidence"
        out.append(Finding(source, lno + 1, g.start + 1, g.kind, round(conf, 4), detail))
        for p in lossy:
            if p.confidence >= CONFIDENT:
                continue
            ranked = sorted(
                zip(p.candidates, p.scores or (0.0,) * len(p.candidates), strict=True),
                key=lambda cs: -cs[1],
            )
            top = [c for c, s in ranked if s > -math.inf][:8]
            listing = ", ".join(f"{c!r} U+{ord(c):04X}" for c in top)
            out.append(
                Finding(
                    source,
                    lno + 1,
                    p.origin + 1,
                    "lossy-mojibake-uncertain",
                    round(p.confidence, 4),
                    f"wrote {p.char!r} (U+{ord(p.char):04X}); candidates: {listing}",
                    tuple(top),
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------
#: The largest file repaired: a whole translated course is about 100 KB.
MAX_FILE_BYTES = 20_000_000


def repair_file(path: str | os.PathLike[str]) -> Repair:
    """Decode a file (:func:`decode_bytes`) and repair its text (:func:`repair_text`).

    Raises :class:`OSError` for what is no regular file (a device such as ``/dev/zero`` would
    be read for ever) or a file over :data:`MAX_FILE_BYTES`.
    """
    p = Path(path)
    with p.open("rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path}: not a regular file")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes: not a translation")
    decoded = decode_bytes(data, str(path))
    rep = repair_text(decoded.text, str(path))
    findings = decoded.findings + rep.findings
    changed = rep.text.encode("utf-8") != data
    return Repair(rep.text, findings, changed, str(path), decoded.encoding)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def _backup_path(path: Path, data: bytes) -> tuple[Path, bool]:
    """Where to keep the original: ``FILE.orig``, or the next free ``FILE.orig.N``.

    Returns the path and whether an identical backup already exists there.
    """
    candidate = path.with_name(path.name + ".orig")
    n = 0
    while candidate.exists():
        try:
            if candidate.read_bytes() == data:
                return candidate, True
        except OSError:
            pass
        n += 1
        candidate = path.with_name(f"{path.name}.orig.{n}")
    return candidate, False


def _write_in_place(path: Path, data: bytes, new: bytes, stderr: TextIO) -> None:
    """Keep the original as a backup, then replace the file; both writes are atomic.

    A process killed at any moment leaves the file with its old bytes or its new ones, and
    the backup absent or complete (it is hard-linked into place only once fully written).
    """
    while True:
        backup, existed = _backup_path(path, data)
        fsio.remove_stale_temporaries(backup)  # what a run killed half-way left
        if existed or fsio.atomic_create(backup, data):  # never overwrite a backup
            break
    fsio.remove_stale_temporaries(path)
    default = path.with_name(path.name + ".orig")
    note = "" if backup == default else f" ({default.name} already exists with other content)"
    fsio.atomic_write(path, new)  # keeps the file's permission bits
    stderr.write(f"{path}: repaired in place; original kept as {backup}{note}\n")


def command(
    paths: list[str],
    *,
    in_place: bool,
    check: bool,
    strict: bool,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """``course.py repair FILE… [--in-place] [--check] [--strict]``.

    Without a flag, exactly one FILE: the repaired UTF-8 text goes to ``stdout``, the report
    to ``stderr``.  ``--in-place`` rewrites each damaged file, keeping the original beside it
    as ``FILE.orig`` (``FILE.orig.N`` if a different backup is already there).  ``--check``
    changes nothing and fails when any file needs repair.

    Exit status: 0 when every file is clean or was repaired with confidence; 1 when something
    could not be restored (an undecodable or ambiguous file, U+FFFD, a file that needs repair
    under ``--check``), or under ``--strict`` when any character was chosen without
    confidence; 2 on usage errors (no FILE, several FILEs to stdout, ``--check`` with
    ``--in-place``, a FILE that cannot be read).
    """
    if not paths:
        stderr.write("repair: error: no FILE given\n")
        return 2
    if check and in_place:
        stderr.write("repair: error: --check and --in-place exclude each other\n")
        return 2
    if not check and not in_place and len(paths) != 1:
        stderr.write(
            "repair: error: several FILEs need --in-place or --check "
            "(only one FILE can be written to stdout)\n"
        )
        return 2
    for p in paths:
        if not Path(p).is_file():
            stderr.write(f"repair: error: {p}: no such file\n")
            return 2
    status = 0
    for p in paths:
        path = Path(p)
        try:
            data = path.read_bytes()
        except OSError as e:
            stderr.write(f"repair: error: {p}: {e.strerror}\n")
            return 2
        try:
            decoded = decode_bytes(data, p)
        except RepairError as e:
            stderr.write(f"{e}\n")
            status = 1
            continue
        rep = repair_text(decoded.text, p)
        findings = decoded.findings + rep.findings
        new = rep.text.encode("utf-8")
        needs = new != data
        for f in findings:
            stderr.write(f.format() + "\n")
        lost = [f for f in findings if f.confidence <= 0.0]
        unsure = [f for f in findings if 0.0 < f.confidence < CONFIDENT]
        n_chars = sum(1 for f in unsure if f.kind == "lossy-mojibake-uncertain")
        if lost or (strict and unsure):
            status = 1
        if check:
            if needs:
                stderr.write(f"{p}: needs repair ({len(findings)} finding(s))\n")
                status = 1
        elif in_place:
            if needs:
                _write_in_place(path, data, new, stderr)
        else:
            buffer = getattr(stdout, "buffer", None)
            if buffer is not None:
                stdout.flush()
                buffer.write(new)
                buffer.flush()
            else:
                stdout.write(rep.text)
        if findings or needs:
            stderr.write(
                f"{p}: {len(findings)} finding(s), {n_chars} character(s) chosen without "
                f"confidence, {len(lost)} lost\n"
            )
    return status
