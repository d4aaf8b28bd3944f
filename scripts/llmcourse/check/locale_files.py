"""The files of locales/: YAML mappings (the regional table too) and OpenCC glossaries."""

from __future__ import annotations

from pathlib import Path

import yaml

from llmcourse.check.encoding import check_encoding, check_text_damage
from llmcourse.check.report import FileReport, split_located


def check_yaml_mapping(path: Path, report: FileReport) -> None:
    """A locales YAML file parses to a mapping."""
    text = check_encoding(path.read_bytes(), report)
    if text is None:
        return
    check_text_damage(text, report)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.add(
            line,
            col,
            f"invalid YAML: {problem}",
            "quote values that contain ': ' or start with a special character",
        )
        return
    except RecursionError:
        report.add(1, 1, "YAML nested too deeply", "flatten the file")
        return
    if not isinstance(data, dict):
        report.add(
            1,
            1,
            f"expected a mapping of keys to texts, got {type(data).__name__}",
            "write key: value lines",
        )
        return
    from llmcourse import regional

    if path == regional.TABLE.resolve():
        try:
            regional.table(path)
        except regional.RegionalError as exc:
            line, col, message = split_located(str(exc), report.path)
            report.add(line, col, message, "see the keys explained at the top of the file")


def check_glossary(path: Path, report: FileReport) -> None:
    """An OpenCC text dictionary: ``key<TAB>value`` lines, ``#`` comments, blank lines."""
    text = check_encoding(path.read_bytes(), report)
    if text is None:
        return
    check_text_damage(text, report)
    seen: dict[str, int] = {}
    hint = "write one key<TAB>value pair per line"
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) == 1:
            space = next((i for i, ch in enumerate(line) if ch.isspace()), 0)
            report.add(n, space + 1, "no TAB between key and value", hint, kind="glossary")
            continue
        if len(parts) > 2:
            second = line.index("\t", len(parts[0]) + 1)
            report.add(n, second + 1, "more than one TAB on the line", hint, kind="glossary")
            continue
        key, value = parts
        if not key:
            report.add(n, 1, "empty key", hint, kind="glossary")
            continue
        if not value.strip():
            report.add(
                n,
                len(key) + 2,
                f"empty value for {key!r}",
                "give the replacement after the TAB, or delete the line",
                kind="glossary",
            )
            continue
        space = next((i for i, ch in enumerate(line) if ch.isspace() and ch != "\t"), None)
        if space is not None:
            report.add(
                n,
                space + 1,
                "whitespace in a key or value (OpenCC reads spaces as alternatives)",
                "remove the spaces",
                kind="glossary",
            )
            continue
        if key in seen:
            report.add(
                n,
                1,
                f"duplicate key {key!r} (first on line {seen[key]})",
                "keep one of the two lines",
                kind="glossary",
            )
            continue
        seen[key] = n
