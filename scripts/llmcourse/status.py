"""Translation status of every page in every language, from the docs tree and git history.

A page's zh-TW or zh-CN version is the *source* (the one Chinese file) or *converted* from
it; its English version (any language's that is not a Chinese script: llmcourse.pages) is
*translated*, *outdated* (the source changed in git after the translation last did) or
*falling back* to the Chinese text. Without git history (a tarball, a shallow clone)
everything still works, only without dates.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from llmcourse import DOCS, chinese, importer, locales, mdtext
from llmcourse import pages as page_model

SOURCE, CONVERTED, TRANSLATED, OUTDATED, FALLBACK = (
    "source",
    "converted",
    "translated",
    "outdated",
    "fallback",
)


@dataclass(frozen=True)
class Entry:
    """One page in one language."""

    key: str
    lang: str
    state: str
    file: str | None  # the file the language's page is made from
    changed: str | None  # date (YYYY-MM-DD) of the last commit touching that file
    title: str
    upstream: str | None  # upstream course revision the page follows (front matter)


def pages(docs: Path = DOCS) -> list[str]:
    """Every page key (language-neutral path) that has a Chinese source."""
    keys = set()
    for path in docs.rglob("*"):
        rel = path.relative_to(docs).as_posix()
        if path.suffix in (".md", ".ipynb") and page_model.language_of(rel) in chinese.SCRIPTS:
            keys.add(page_model.page_key(rel) + path.suffix)
    return sorted(keys)


def entries(docs: Path = DOCS) -> list[Entry]:
    """The status of every page in every language.

    Worked out once per state of the docs folder (every page file's name, size and
    modification time) and git dates (until :func:`forget_dates`): a three-language build
    asks nine times for the same table.
    """
    key = (docs.resolve(), _docs_state(docs))
    if key not in _ENTRIES:
        _ENTRIES.clear()
        _ENTRIES[key] = tuple(_entries(docs))
    return list(_ENTRIES[key])


_ENTRIES: dict[tuple, tuple[Entry, ...]] = {}


def _docs_state(docs: Path) -> tuple:
    """Name, size and modification time of every page file under ``docs``."""
    state = []
    for folder, dirs, names in os.walk(docs):
        dirs.sort()
        for name in sorted(names):
            if name.endswith((".md", ".ipynb")):
                info = os.stat(os.path.join(folder, name))
                state.append((folder, name, info.st_size, info.st_mtime_ns))
    return tuple(state)


def _entries(docs: Path) -> list[Entry]:
    out = []
    for page in pages(docs):
        stem, ext = page.rsplit(".", 1)
        source = page_model.chinese_source(docs, stem, ext)
        assert source is not None  # pages() lists the keys that have one
        meta = _meta(source)
        title = _title(source)
        upstream = meta.get("upstream")
        for lang in page_model.LANGS:
            page_in = page_model.page(docs, stem, ext, lang)
            assert page_in is not None
            if lang in chinese.SCRIPTS or page_in.kind == page_model.FALLBACK:
                state = STATE_OF[page_in.kind]
                out.append(
                    Entry(
                        stem, lang, state, _rel(source, docs), _day(source, docs), title, upstream
                    )
                )
                continue
            own = docs / page_in.file  # a translation of its own
            src_date, own_date = _dated(source, docs), _dated(own, docs)
            state = OUTDATED if src_date and own_date and src_date[0] > own_date[0] else TRANSLATED
            out.append(
                Entry(
                    stem,
                    lang,
                    state,
                    _rel(own, docs),
                    _day(own, docs),
                    _title(own),
                    _meta(own).get("upstream", upstream),
                )
            )
    return out


#: The state of a page that is not a translation of its own, by how it is made.
STATE_OF = {page_model.OWN: SOURCE, page_model.CONVERTED: CONVERTED, page_model.FALLBACK: FALLBACK}


def current_upstream() -> str | None:
    """The upstream course revision the project tracks (layout.yml `upstream`)."""
    return importer.layout().get("upstream")


def _day(path: Path, docs: Path) -> str | None:
    found = _dated(path, docs)
    return found[1] if found else None


def _rel(path: Path, docs: Path) -> str:
    return path.relative_to(docs).as_posix()


def _meta(path: Path) -> dict:
    if path.suffix != ".md":
        return {}
    try:
        return mdtext.split_front_matter(path.read_text(encoding="utf-8"), str(path))[0]
    except mdtext.FrontMatterError:
        return {}


def _title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text).get("cells", [])
        text = "".join(next((c["source"] for c in cells if c["cell_type"] == "markdown"), ""))
    heads = [h for h in mdtext.headings(mdtext.split_front_matter(text)[1]) if h.level == 1]
    return heads[0].text if heads else path.stem


def _git_dates(docs: Path) -> dict[str, tuple[int, str]]:
    """Last commit (unix time, date) per file of a docs folder, from one `git log` call."""
    docs = docs.resolve()
    if docs not in _DATES:
        _DATES[docs] = _read_git_dates(docs)
    return _DATES[docs]


_DATES: dict[Path, dict[str, tuple[int, str]]] = {}


def _read_git_dates(docs: Path) -> dict[str, tuple[int, str]]:
    try:
        log = subprocess.run(
            ["git", "log", "--format=@%ct %cs", "--name-only", "--relative", "--", "."],
            cwd=docs,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}  # no git, or not a repository (a tarball): no dates
    dates: dict[str, tuple[int, str]] = {}
    current = (0, "")
    for line in log.splitlines():
        if line.startswith("@"):
            stamp, day = line[1:].split()
            current = (int(stamp), day)
        elif line.strip():
            dates.setdefault(line.strip(), current)
    return dates


def _dated(path: Path, docs: Path) -> tuple[int, str] | None:
    return _git_dates(docs).get(path.resolve().relative_to(docs.resolve()).as_posix())


def forget_dates() -> None:
    """Drop the cached git dates and the entries made with them (new commits may follow)."""
    _DATES.clear()
    _ENTRIES.clear()


# --------------------------------------------------------------------------- output


#: Where the status page's table goes: a placeholder that survives sanitizing, filled after.
PLACEHOLDER = '<div class="status-table"></div>'
PARTIAL = "partials/status-table.html"


def summary(lang: str, docs: Path = DOCS) -> str:
    """The status page's Markdown around the table, in ``lang``; the table is PLACEHOLDER."""
    words = locales.load(lang)["status"]
    rows = entries(docs)
    counts = {s: sum(1 for e in rows if e.state == s) for s in words["states"]}
    line = ", ".join(f"{words['states'][s]}: {n}" for s, n in counts.items() if n)
    upstream = current_upstream()
    chinese = {e.key: e.upstream for e in rows if e.state == SOURCE}
    behind = {e.key: chinese[e.key] for e in rows if _behind(e, upstream)}
    out = [words["intro"], "", line, "", PLACEHOLDER]
    if behind:
        out += [
            "",
            f"## {words['upstream_title']}",
            "",
            words["upstream_intro"].format(current=upstream),
            "",
        ]
        out += [f"- `{k}`: {v}" for k, v in sorted(behind.items())]
    return "\n".join(out) + "\n"


def _behind(entry: Entry, upstream: str | None) -> bool:
    return bool(upstream and entry.upstream and entry.upstream != upstream)


def table_context(
    lang: str, docs: Path = DOCS, links: dict[str, tuple[str, str]] | None = None
) -> dict:
    """What the status table's partial shows: a row per page, a cell per language.

    ``links`` maps a page key to its URL in the reader's language, relative to the page the
    table is on, and its title there; a row whose page has none is not a link.
    """
    words = locales.load(lang)["status"]
    by_key: dict[str, dict[str, Entry]] = {}
    for e in entries(docs):
        by_key.setdefault(e.key, {})[e.lang] = e
    links = links or {}
    rows = []
    for key, langs in by_key.items():
        href, title = links.get(key, (None, langs[lang].title))
        rows.append(
            {
                "key": key,
                "title": title,
                "href": href,
                "cells": [
                    {
                        "lang": lg,
                        "state": langs[lg].state,
                        "label": words["states"][langs[lg].state],
                        "date": langs[lg].changed,
                    }
                    for lg in page_model.LANGS
                ],
            }
        )
    return {
        "page_label": words["page"],
        "languages": [
            {
                "label": words["languages"].get(lg),
                "lang": lg,
                "name": locales.load(lg)["language_name"],
            }
            for lg in page_model.LANGS
        ],
        "rows": rows,
    }


def command(as_json: bool, stdout: TextIO) -> int:
    """`course.py status`: the table in the terminal, or JSON for tools."""
    rows = entries()
    if as_json:
        json.dump(
            {"upstream": current_upstream(), "pages": [asdict(e) for e in rows]},
            stdout,
            ensure_ascii=False,
            indent=2,
        )
        stdout.write("\n")
        return 0
    width = max(len(e.key) for e in rows)
    stdout.write(f"{'page':<{width}}  {''.join(f'{lg:<22}' for lg in page_model.LANGS)}\n")
    by_key: dict[str, dict[str, Entry]] = {}
    for e in rows:
        by_key.setdefault(e.key, {})[e.lang] = e
    for key, langs in by_key.items():
        cells = "".join(
            f"{langs[lg].state + (' ' + langs[lg].changed if langs[lg].changed else ''):<22}"
            for lg in page_model.LANGS
        )
        stdout.write(f"{key:<{width}}  {cells}\n")
    return 0
