"""``course.py convert``: course files (Markdown, notebooks) converted or audited, as a command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from . import chinese, fsio
from .convert import (
    Audit,
    ConversionRuleError,
    audit_markdown,
    convert_markdown,
    convert_notebook,
)
from .rules import notebook_rules

__all__ = ["command"]


def _read_utf8(path: Path) -> str:
    """Read a file as UTF-8; a bad byte is reported as ``path:line:col``."""
    try:
        return fsio.read_utf8(path)
    except fsio.NotUTF8 as exc:
        raise ConversionRuleError(str(exc)) from exc


def command(paths: list[str], *, to: str, audit: bool, stdout: TextIO, stderr: TextIO) -> int:
    """``course.py convert --to zh-CN|zh-TW [--audit] FILE…``.

    Prints each converted file (Markdown, or the notebook JSON for ``.ipynb``) to ``stdout``,
    one after the other. With ``audit``, prints instead ``path:line:col: 源 → 目标`` for each
    regional term replaced and reports protected spans that differ on ``stderr``.
    Exit status: 0 ok, 1 a file is invalid (not UTF-8, bad rules) or the audit failed,
    2 usage error (bad --to, no file, missing file).
    """
    if to not in chinese.GLOSSARY_INTO:
        print(f"convert: --to must be {' or '.join(chinese.SCRIPTS)}, not {to!r}", file=stderr)
        return 2
    if not paths:
        print("convert: no input file given", file=stderr)
        return 2
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        for p in missing:
            print(f"convert: {p}: no such file", file=stderr)
        return 2
    status = 0
    for name in paths:
        path = Path(name)
        try:
            text = _read_utf8(path)
            if path.suffix == ".ipynb":
                status = max(status, _command_notebook(name, text, to, audit, stdout, stderr))
                continue
            if not audit:
                stdout.write(convert_markdown(text, to, source=name))
                continue
            status = max(
                status, _report(name, audit_markdown(text, to, source=name), stdout, stderr)
            )
        except (ConversionRuleError, json.JSONDecodeError) as exc:
            print(
                f"convert: {exc}"
                if isinstance(exc, ConversionRuleError)
                else f"convert: {name}:{exc.lineno}:{exc.colno}: invalid notebook JSON: {exc.msg}",
                file=stderr,
            )
            status = 1
    return status


def _report(name: str, result: Audit, stdout: TextIO, stderr: TextIO) -> int:
    for r in result.replacements:
        print(f"{name}:{r.line}:{r.col}: {r.source} → {r.result}", file=stdout)
    for warning in result.warnings:
        print(f"{name}:1:1: warning: {warning}", file=stderr)
    for m in result.protected_mismatches:
        print(f"{name}:{m.line}:{m.col}: {m.message()}", file=stderr)
    return 0 if result.ok else 1


def _command_notebook(
    name: str, text: str, to: str, audit: bool, stdout: TextIO, stderr: TextIO
) -> int:
    if not audit:
        stdout.write(convert_notebook(text, to, source=name))
        return 0
    status = 0
    notebook = json.loads(text)
    rules = notebook_rules(notebook, to, name)
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            cell_text = "".join(src) if isinstance(src, list) else src
            label = f"{name}#cell{index}"
            status = max(
                status,
                _report(
                    label,
                    audit_markdown(cell_text, to, source=label, rules=rules),
                    stdout,
                    stderr,
                ),
            )
    return status
