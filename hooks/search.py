"""Search per language that finds Chinese typed without spaces, in either script or regional term.

Each language gets its own index, `<language folder>/search/search_index.<lang>.json`: the
plain text of its pages' sections plus the two small tables the browser needs to read a query
the way the index is read (overrides/assets/reader/search-core.js):

- `chars`: Traditional → Simplified character pairs, so that text and query are compared in one
  script, character for character (positions still match the text shown in results);
- `terms`: regional terms of the other Chinese script → the form used in these pages
  (数据集 → 资料集 for zh-TW), found by converting the pages with llmcourse.convert.

Han text is matched as a substring of bigrams (no word segmentation, so the query needs none),
Latin words by prefix. Material keeps its search UI: its worker is swapped for
assets/reader/search-worker.js, which loads the page's language index. The index Material itself
fetches, search/search_index.json, becomes a stub with only its highlighting config.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jieba
import opencc
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs_static_i18n.plugin import I18n

from llmcourse import convert, sanitize, write_if_changed
from llmcourse.pages import search_index_path

# language -> entries {location, title, text} of the pages built in this run
ENTRIES: dict[str, list[dict[str, str]]] = {}
# languages whose index is written (each is complete at the first post_build after its pages)
WRITTEN: set[str] = set()


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Start the entries of the language being built afresh."""
    lang = _i18n(config).current_language
    ENTRIES[lang] = []
    WRITTEN.discard(lang)


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Keep the page's sections as search entries of its language."""
    search = page.meta.get("search") or {}
    if not (isinstance(search, dict) and search.get("exclude")):
        ENTRIES[_i18n(config).current_language].extend(page_entries(html, page))
    return html


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Point Material's search at the reader worker and this page's language index."""
    return _with_reader_worker(output, config)


def on_post_template(output: str, *, template_name: str, config: MkDocsConfig) -> str:
    """Do the same on the 404 page (the only theme template with a search box)."""
    return _with_reader_worker(output, config) if template_name == "404.html" else output


@event_priority(-110)  # after mkdocs-static-i18n (-100): it builds the other languages, then
# overwrites search/search_index.json with its mixed index of all of them
def on_post_build(*, config: MkDocsConfig) -> None:
    """Write every built language's index and the stub search/search_index.json."""
    site = Path(config.site_dir)
    default = _i18n(config).default_language
    for lang, entries in ENTRIES.items():
        if lang not in WRITTEN:
            write_if_changed(site / search_index_path(lang, default), _index_json(lang, entries))
            WRITTEN.add(lang)
    stub = {"config": MATERIAL_CONFIG, "docs": []}
    write_if_changed(site / "search" / "search_index.json", json.dumps(stub, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------
# Public helpers (also used by tests/test_reader.py and the benchmark)


def page_entries(html: str, page: Page) -> list[dict[str, str]]:
    """The page as search entries: its first part under the page URL, then one per heading."""
    parser = _Sections()
    parser.feed(html)
    parser.close()
    entries = []
    for i, (anchor, title, text) in enumerate(parser.sections):
        title, text = _clean(title), _clean(text)
        if i == 0:
            title = title or _clean(sanitize.plain(page.title or ""))
        elif not (title or text):
            continue
        location = page.url if i == 0 else f"{page.url}#{anchor}"
        entries.append({"location": location, "title": title, "text": text})
    return entries


def canonical(text: str, chars: dict[str, str] | None = None) -> str:
    """The text as the index compares it: lower case, ASCII for full-width, Simplified Han.

    Character for character (same length), as search-core.js `normalise` does it.
    """
    table = _variant_chars() if chars is None else chars
    out = []
    for ch in text:
        low = ch.lower()
        ch = low if len(low) == 1 else ch
        if "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0).lower()
        out.append(table.get(ch, ch))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Index


def _index_json(lang: str, entries: list[dict[str, str]]) -> str:
    """The index file of a language: its entries and the tables to read queries with."""
    corpus = "\n".join(f"{e['title']}\n{e['text']}" for e in entries)
    table = _variant_chars()
    present = set(canonical(corpus, table))
    chars = "".join(t + s for t, s in sorted(table.items()) if s in present)
    index = {
        "config": MATERIAL_CONFIG,
        "lang": lang,
        "chars": chars,
        "terms": _variant_terms(entries, "zh-CN" if lang == "zh-CN" else "zh-TW", table),
        "docs": entries,
    }
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


@functools.cache
def _variant_chars() -> dict[str, str]:
    """Every Traditional Han character → its Simplified character (idempotent: 麼 → 么 ↛ 幺)."""
    chars = [chr(c) for r in HAN_BLOCKS for c in range(*r)]
    simplified = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    table = {t: s for t, s in zip(chars, simplified, strict=True) if len(s) == 1 and s != t}
    for t, s in table.items():
        while s in table and table[s] != s:
            s = table[s]
        table[t] = s
    return table


def _variant_terms(entries: list[dict[str, str]], script: str, table: dict[str, str]) -> dict:
    """Terms of the other script (canonical form) → the canonical forms used in the pages.

    From the project glossary (both directions), and from converting each entry to the other
    script the way the site converts pages and diffing the canonical texts; kept only when
    the pages' form occurs in them.
    """
    other = "zh-TW" if script == "zh-CN" else "zh-CN"
    terms: dict[str, set[str]] = {}
    fields = [field for entry in entries for field in (entry["title"], entry["text"])]
    runs = {run for field in fields for run in HAN_TEXT.findall(field)}
    for run in sorted(runs):
        mine = canonical(run, table)
        theirs = canonical(convert.convert_text(run, other), table)
        if mine != theirs:
            for key, value in _differences(mine, theirs):
                terms.setdefault(key, set()).add(value)
    corpus = canonical("\n".join(f"{e['title']}\n{e['text']}" for e in entries), table)
    for direction, mine_first in (("tw2cn", script == "zh-TW"), ("cn2tw", script == "zh-CN")):
        for key, value in convert.glossary(direction).entries.items():
            mine, theirs = (key, value) if mine_first else (value, key)
            mine, theirs = canonical(mine, table), canonical(theirs, table)
            if mine != theirs and mine in corpus:
                terms.setdefault(theirs, set()).add(mine)
    return {key: sorted(values) for key, values in sorted(terms.items())}


def _differences(mine: str, theirs: str) -> list[tuple[str, str]]:
    """(their term, my term) for each differing span, widened to whole words of my text."""
    ops = difflib.SequenceMatcher(None, mine, theirs, autojunk=False).get_opcodes()
    words = [(start, end) for _, start, end in jieba.tokenize(mine)]
    pairs = []
    for op, i1, i2, _, _ in ops:
        if op == "equal":
            continue
        # An insertion touches the words on both sides of its position.
        lo, hi = (i1, i2) if i1 < i2 else (i1 - 1, i1 + 1)
        start = min((s for s, e in words if e > lo and s < hi), default=i1)
        end = max((e for s, e in words if e > lo and s < hi), default=i2)
        a, b = mine[start:end], theirs[_position(start, ops) : _position(end, ops, True)]
        if a != b and HAN_CHAR.search(a) and HAN_CHAR.search(b):
            pairs.append((b, a))
    return pairs


def _position(i: int, ops: list[tuple[str, int, int, int, int]], end: bool = False) -> int:
    """Where position i of the first text of a diff falls in the second text."""
    for op, i1, i2, j1, j2 in ops:
        if i1 <= i < i2 or (end and i == i2):
            return j1 + (i - i1) if op == "equal" else (j2 if end else j1)
    return ops[-1][4] if ops else i


# ---------------------------------------------------------------------------------------------
# Page text


class _Sections(HTMLParser):
    """Split article HTML at headings into (anchor, title parts, text parts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str], list[str]]] = [("", [], [])]
        self.stack: list[tuple[str, bool]] = []
        self.skipping = 0
        self.heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self._space()
            return
        attr = dict(attrs)
        classes = set((attr.get("class") or "").split())
        skip = tag in SKIP_TAGS or "data-search-exclude" in attr or bool(classes & SKIP_CLASSES)
        self.stack.append((tag, skip))
        self.skipping += skip
        if self.skipping:
            return
        if tag in HEADINGS:
            first = self.sections[0]
            if tag == "h1" and len(self.sections) == 1 and not first[1]:
                self.heading = first[1]
            elif attr.get("id"):
                self.sections.append((attr["id"] or "", [], []))
                self.heading = self.sections[-1][1]
        self._space()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._space()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                self.skipping -= sum(skip for _, skip in self.stack[i:])
                del self.stack[i:]
                break
        else:
            return
        if tag in HEADINGS:
            self.heading = None
        self._space()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            (self.heading if self.heading is not None else self.sections[-1][2]).append(data)

    def _space(self) -> None:
        if not self.skipping:
            (self.heading if self.heading is not None else self.sections[-1][2]).append(" ")


def _with_reader_worker(output: str, config: MkDocsConfig) -> str:
    """Swap the worker in the page's __config, keeping the path MkDocs gave Material's."""
    match = CONFIG_SCRIPT.search(output)
    if match is None:
        return output
    data = json.loads(match.group(1))
    prefix, sep, _ = data.get("search", "").rpartition(MATERIAL_WORKERS)
    if not sep:
        return output
    i18n = _i18n(config)
    index = search_index_path(i18n.current_language, i18n.default_language)
    data["search"] = f"{prefix}{WORKER}?index={index}"
    script = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return output[: match.start(1)] + script + output[match.end(1) :]


def _clean(parts: list[str] | str) -> str:
    text = WHITESPACE.sub(" ", "".join(parts)).strip()
    return CJK_GAP.sub("", text)


def _i18n(config: MkDocsConfig) -> I18n:
    return config.plugins["i18n"]


# ---------------------------------------------------------------------------------------------
# Data

WORKER = "assets/reader/search-worker.js"
MATERIAL_WORKERS = "assets/javascripts/workers/"
# What Material reads from an index besides docs: its highlighter splits the terms a result
# link carries (`?h=`) with `separator`; the rest keeps its worker contract if it is ever used.
MATERIAL_CONFIG = {
    "lang": ["en"],
    "separator": r"[\s\-]+",
    "pipeline": [],
    "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}},
}
CONFIG_SCRIPT = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)
HAN_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Runs of Han text with the punctuation inside sentences (conversion needs some context).
HAN_TEXT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break inside Chinese text is not a word break.
CJK_GAP = re.compile(rf"(?<=[{CJK}]) (?=[{CJK}])")
WHITESPACE = re.compile(r"\s+")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Code, notebook outputs, scripts, drawings and controls are not searched.
SKIP_TAGS = {
    "pre",
    "script",
    "style",
    "svg",
    "button",
    "nav",
    "form",
    "template",
    "textarea",
    "select",
    "noscript",
    "math",
}
SKIP_CLASSES = {
    "headerlink",
    "anchor-link",
    "jp-InputPrompt",
    "jp-OutputPrompt",
    "zeroclipboard-container",
}
