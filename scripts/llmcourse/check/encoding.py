"""A file's bytes as UTF-8 text, and the damage in that text (U+FFFD, mojibake)."""

from __future__ import annotations

from llmcourse.check.report import FileReport, Positions
from llmcourse.check.time_limits import STEP_SECONDS, CheckTimeout, time_limit

REPAIR_HINT = "python scripts/course.py repair --in-place {path}"


def _byte_line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col


def decode_page(data: bytes, report: FileReport) -> str | None:
    """The text of a page (a BOM dropped) when it is UTF-8 text; problems for anything else.

    These are the problems the build refuses too (llmcourse.guard).
    """
    hint = REPAIR_HINT.format(path=report.path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.add(1, 1, "UTF-16 text (byte order mark): not UTF-8", hint)
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_line_col(data, nul)
        report.add(
            line,
            col,
            "binary data (NUL byte): not a UTF-8 text file",
            "replace it with the UTF-8 text it should be, or give it its real extension",
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line, col = _byte_line_col(data, start)
        report.add(
            line,
            col,
            f"not UTF-8: byte 0x{data[start]:02x} ({exc.reason}){_guess_encoding(data)}",
            hint,
        )
        return None


def check_encoding(data: bytes, report: FileReport) -> str | None:
    """The text of a file when it is UTF-8 (BOM dropped); problems for anything else."""
    hint = REPAIR_HINT.format(path=report.path)
    if data.startswith(b"\xef\xbb\xbf") and b"\x00" not in data:
        report.add(1, 1, "UTF-8 byte order mark at the start of the file", hint)
    text = decode_page(data, report)
    if text is not None and text.startswith("\ufeff"):  # a BOM after the BOM, or one as text
        report.add(1, 1, "byte order mark (U+FEFF) at the start of the text", hint)
        text = text.lstrip("\ufeff")
    return text


def _guess_encoding(data: bytes) -> str:
    """', looks like GBK' when the repair machinery can tell the encoding."""
    from llmcourse import repair

    try:
        decoded = repair.decode_bytes(data)
    except repair.RepairError as exc:
        if isinstance(exc, repair.EncodingAmbiguous):
            return f"; it decodes as {' or '.join(exc.candidates)}"
        return ""
    except Exception:  # noqa: BLE001 - a guess only
        return ""
    return f"; it looks like {decoded.encoding.upper()}"


def check_text_damage(text: str, report: FileReport) -> None:
    """U+FFFD anywhere and mojibake the repair machinery would restore."""
    from llmcourse import repair

    hint = REPAIR_HINT.format(path=report.path)
    pos = text.find("\ufffd")
    if pos >= 0:
        where = Positions(text)
        while pos >= 0:
            line, col = where.at(pos)
            if not report.add(
                line,
                col,
                "U+FFFD replacement character: a character was lost in an earlier conversion",
                "restore the original character from the source text",
                kind="U+FFFD",
            ):
                break
            pos = text.find("\ufffd", pos + 1)
    try:
        with time_limit(STEP_SECONDS, "the mojibake check"):
            result = repair.repair_text(text, report.path)
    except CheckTimeout as exc:
        report.add(
            1,
            1,
            f"{exc}: the text is too unusual to check for mojibake",
            "split the file or remove the repetitive content",
        )
        return
    if result.changed:
        # mojibake examples inside code are reported by repair, never rewritten: not damage
        findings = [
            f for f in result.findings if f.kind not in ("replacement-char", "mojibake-in-code")
        ]
        first = findings[0] if findings else None
        if first is not None:
            report.add(first.line, first.col, f"{first.kind}: {first.detail}", hint)
        else:
            report.add(1, 1, "mojibake: the repair machinery would change this file", hint)
