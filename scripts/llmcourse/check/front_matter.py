"""A page's front matter: its YAML, its keys and their values, its ``parity`` table."""

from __future__ import annotations

import difflib

from llmcourse import chinese, mdspans, mdtext, pages, parity
from llmcourse.check.report import FileReport, split_located

FRONT_MATTER_KEYS = pages.FRONT_MATTER_KEYS


def front_matter_marks(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """File (line, col) of front matter keys: ('parity',), ('parity', '0'), ('parity','0','x')."""
    fm = mdspans.split_front_matter(text)
    return fm.marks() if fm is not None else {}


def check_front_matter(
    text: str, report: FileReport, lang: str
) -> tuple[dict, str, int, dict[tuple[str, ...], tuple[int, int]]]:
    """(metadata, body, lines the front matter took, key positions); problems reported."""
    try:
        meta, body, skipped = mdtext.split_front_matter(text, report.path)
    except mdtext.FrontMatterError as exc:
        line, col, message = split_located(str(exc), report.path)
        report.add(
            line,
            col,
            message,
            "fix the YAML between the --- lines (quote values that contain ': ' or '#')",
        )
        fm = mdspans.split_front_matter(text)
        if fm is None:
            return {}, text, 0, {}
        return {}, text[fm.end :], fm.lines, {}
    if not skipped:
        return meta, body, skipped, {}
    marks = front_matter_marks(text)
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            line, col = marks.get((str(key),), (2, 1))
            close = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, 1, 0.75)
            report.add(
                line,
                col,
                f"unknown front matter key {key!r}",
                f"did you mean {close[0]!r}?"
                if close
                else f"use only {', '.join(FRONT_MATTER_KEYS)}",
            )
    for key in ("title", "description", "icon", "status", "upstream"):
        if key in meta and isinstance(meta[key], list | dict):
            line, col = marks.get((key,), (2, 1))
            report.add(
                line,
                col,
                f"front matter {key!r} must be a single value",
                f"write {key}: followed by text",
            )
    if "hide" in meta and not (
        isinstance(meta["hide"], list) and all(isinstance(x, str) for x in meta["hide"])
    ):
        line, col = marks.get(("hide",), (2, 1))
        report.add(
            line,
            col,
            "front matter 'hide' must be a list of names",
            "write hide: [navigation, toc]",
        )
    if "parity" in meta:
        _, errors = parity.validate(meta)
        translation = (
            pages.names(pages.TRANSLATIONS, "or")
            if lang in chinese.SCRIPTS
            else pages.language(lang).name
        )
        for err in errors:
            if err.index is None:
                line, col = marks.get(("parity",), (2, 1))
            else:
                line, col = marks.get(("parity", str(err.index)), (2, 1))
            report.add(
                line,
                col,
                err.message,
                f'write - {{check: links, reason: "why the {translation} page differs"}}',
            )
        if lang in chinese.SCRIPTS and not errors:
            line, col = marks.get(("parity",), (2, 1))
            report.add(
                line,
                col,
                f"parity declarations belong in the {pages.names(pages.TRANSLATIONS, 'or')} "
                "page's front matter",
                "move the parity entries to the "
                + " or ".join(pages.file_name("", "md", t) for t in pages.TRANSLATIONS)
                + " file",
            )
    return meta, body, skipped, marks
