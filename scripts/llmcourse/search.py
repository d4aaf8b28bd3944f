"""Site search: Pagefind's index of the built site, and the tables that read a query.

Pagefind (PyPI ``pagefind-bin``) indexes every built page into ``<site>/pagefind/``, one
index per ``<html lang>``; the browser fetches only the fragments a query needs, and only once
the reader opens search (overrides/assets/reader/search-ui.js). It reads a copy of the pages in
which each Han character of a Chinese page is a word of its own (:func:`_index_copy`): the
extended binary's segmenter and the browser's cut Traditional text differently, and a query's
words were not found. search-ui.js asks for a query's characters in a row, and shows the
index's text as the page has it.

Pagefind matches the words of the page as written. A Chinese query in the other script
(数据集 on the zh-TW site) or with the other region's term (向量數據庫 for 向量資料庫) is first
brought to the site's own form in the browser with the tables written here, from the project's
conversion: OpenCC's character tables (llmcourse.opencc_chain) and the regional glossary
(locales/glossary/, llmcourse.glossary). They do not grow with the course.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from llmcourse import (
    CACHE,
    chinese,
    disk_cache,
    glossary,
    opencc_chain,
    theme_patch,
    write_if_changed,
)

#: What Pagefind indexes: the article of each page (no 404 page, no header, nav or footer).
ROOT_SELECTOR = "article.md-content__inner"
#: Not searched: code, drawings, controls, the reader's progress and roadmap widgets, heading
#: permalinks, notebook prompts.
EXCLUDE_SELECTORS = (
    "pre",
    "svg",
    "math",
    "button",
    "nav",
    "form",
    "select",
    "textarea",
    "template",
    "noscript",
    "[data-search-exclude]",
    ".headerlink",
    ".anchor-link",
    ".jp-InputPrompt",
    ".jp-OutputPrompt",
    ".zeroclipboard-container",
)
#: Pagefind's output folder, at the site root (inside each mike version folder).
BUNDLE = "pagefind"
#: The pages Pagefind indexes (every built page; the 404 page is not one).
PAGE_FILE = "index.html"
#: How Pagefind runs: each page's article (ROOT_SELECTOR) without what EXCLUDE_SELECTORS names
#: (on a copy of the pages, :func:`_index_copy`, into the site's BUNDLE).
PAGEFIND_OPTIONS = (
    "--glob",
    f"**/{PAGE_FILE}",
    "--root-selector",
    ROOT_SELECTOR,
    "--exclude-selectors",
    ",".join(EXCLUDE_SELECTORS),
    "--silent",
)
#: Pagefind's bundles of the last few contents of each language (:func:`index_site`), and the
#: file of a bundle that names its languages.
INDEXES = CACHE / "pagefind"
ENTRY = "pagefind-entry.json"
KEEP_INDEXES = 4
#: A build's own ``.new-*`` or ``.old-*`` folder of INDEXES lives for seconds: one an hour old
#: was left by a build that died (:func:`_sweep`).
STALE_SECONDS = 3600
#: Files Pagefind writes for its own UIs, which the site does not use.
UNUSED = ("pagefind-ui.*", "pagefind-modular-ui.*", "pagefind-component-ui.*")
HAN_RUN = re.compile(chinese.HAN_CLASS + "+")
HTML_LANG = re.compile(r'<html[^>]*\slang="([^"]+)"')
#: Where a Chinese page's text has white space beside a Han character, in the copy Pagefind
#: indexes (which has a space between a Han character and any other): a word of its own, that no
#: query asks for and search-ui.js shows as the space it stands for.
KEPT_SPACE = "\u2060"
HAN = re.compile(chinese.HAN_CLASS)
#: Between a Han character and a character beside it that is not white space; white space
#: beside a Han character (with a character that is not on its other side).
HAN_TOUCH = re.compile(f"(?<={chinese.HAN_CLASS})(?=\\S)|(?<=\\S)(?={chinese.HAN_CLASS})")
HAN_SPACE = re.compile(f"(?<={chinese.HAN_CLASS})\\s+(?=\\S)|(?<=\\S)\\s+(?={chinese.HAN_CLASS})")
TAG = re.compile(r"<[^>]*>")
TAG_SPLIT = re.compile(f"({TAG.pattern})")  # the text between tags, and the tags
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">')
ARTICLE_END = "</article>"


def terms_path(lang: str) -> str:
    """The site-relative path of a language's query tables."""
    return f"{BUNDLE}/terms.{lang}.json"


def index_site(site: Path, *, reuse: bool = True) -> float:
    """Index the built site with Pagefind into site/pagefind/; the seconds it took.

    Each language has a bundle of its own (:class:`_Language`): Pagefind indexes each language
    apart, and the bundles hold the files of one run over the whole site but for
    ``pagefind-entry.json``, which lists the languages and is merged here (:func:`_merge`). A
    bundle is kept in ``.cache/pagefind/`` by a key of its pages, and a build whose pages of a
    language are all the same takes it instead of running Pagefind (unless ``reuse`` is false:
    ``bench`` measures Pagefind itself); :func:`index_language` makes a language's bundle in
    that language's own build, while the others are still built.
    """
    start = time.perf_counter()
    shutil.rmtree(site / BUNDLE, ignore_errors=True)  # mkdocs serve rebuilds into one folder
    found = _pages_by_language(site)
    runs: list[_Language] = []
    try:
        runs = [_Language(site, lang, pages, reuse=reuse) for lang, pages in found.items()]
        # the query tables, from the same pages, while Pagefind indexes them on the other core
        tables = {
            lang: _kept_tables(lang, language_text(found.get(lang, {}))) for lang in chinese.SCRIPTS
        }
        for run in list(runs):
            try:
                _merge(run.bundle(), site / BUNDLE)
            except (OSError, shutil.Error):  # let go by another build meanwhile: index anew
                run.close()
                runs.append(_Language(site, run.lang, found[run.lang], reuse=False))
                _merge(runs[-1].bundle(), site / BUNDLE)
    finally:
        for run in runs:
            run.close()
    entries = [run.entry for run in runs if run.entry]
    if entries:
        _merge_entries(site / BUNDLE, entries)
    for lang, table in tables.items():
        write_if_changed(site / terms_path(lang), json.dumps(table, **JSON))
    return time.perf_counter() - start


def index_language(site: Path, lang: str) -> None:
    """Make the bundle of one language's pages and its query tables (kept for
    :func:`index_site`), in that language's build: while the other languages are still built
    (language_builds), not after them all."""
    pages = _pages_by_language(site, only=lang).get(lang)
    if not pages:
        return
    run = _Language(site, lang, pages, reuse=True)
    try:
        if lang in chinese.SCRIPTS:
            _kept_tables(lang, language_text(pages))
        run.bundle()
    finally:
        run.close()


def _kept_tables(lang: str, text: str) -> dict[str, object]:
    """:func:`query_tables`, once per site text and toolkit (the glossary among it)."""
    from llmcourse.convert import toolkit_version

    key = hashlib.sha256(f"tables\0{lang}\0{toolkit_version()}\0{text}".encode()).hexdigest()
    return dict(_TABLES.get(key, lambda: query_tables(lang, text)))  # type: ignore[arg-type]


class _Language:
    """One language's Pagefind bundle: kept from before, or Pagefind started on a copy of its
    pages (:func:`_index_copy`) as soon as this is made, writing into the cache's folder."""

    def __init__(self, site: Path, lang: str, pages: dict[str, bytes], *, reuse: bool) -> None:
        self.site, self.lang = site, lang
        self.key = _language_key(lang, pages)
        self.kept = INDEXES / f"{lang}-{self.key}"
        self.process: subprocess.Popen | None = None
        self.copy: Path | None = None
        self.output: Path | None = None
        self.entry: dict = {}
        if reuse and _take(self.kept):
            return
        # the binary itself (pagefind-bin's public get_executable), not `python -m pagefind`,
        # which starts a Python only to exec it: a tenth of a second a build
        from pagefind_bin import get_executable

        self.copy = _index_copy(pages)
        try:
            self.output = _scratch_folder(INDEXES) / "bundle"
            self.process = subprocess.Popen(
                [
                    str(get_executable()),
                    *PAGEFIND_OPTIONS,
                    "--site",
                    str(self.copy),
                    "--output-path",
                    str(self.output.resolve()),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        except BaseException:
            self.close()
            raise

    def bundle(self) -> Path:
        """The bundle, once Pagefind ended, kept. It is the index of the pages its key was
        made of, whatever a build wrote meanwhile (serve writes pages while its last index
        runs): the copy Pagefind reads is made of the same bytes."""
        if self.process is None:
            bundle = self.kept
        else:
            out, err = self.process.communicate()
            if self.process.returncode:
                raise RuntimeError(f"Pagefind failed on {self.site}: {(err or out)[-2000:]}")
            assert self.output is not None
            for pattern in UNUSED:
                for path in self.output.glob(pattern):
                    path.unlink()
            bundle = self.kept if _keep(self.output, self.kept) else self.output
        self.entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
        return bundle

    def close(self) -> None:
        """Pagefind stopped if it still runs; the copy of the pages and an output not kept
        removed."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            self.process.communicate()
        for folder in (self.copy, self.output and self.output.parent):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


def _pages_by_language(site: Path, only: str | None = None) -> dict[str, dict[str, bytes]]:
    """The built pages of each language (their ``<html lang>``), or of the language ``only``:
    site-relative path → bytes."""
    found: dict[str, dict[str, bytes]] = {}
    for path in sorted(site.rglob(PAGE_FILE)):
        relative = path.relative_to(site)
        if BUNDLE in relative.parts:
            continue
        with contextlib.suppress(OSError), path.open("rb") as page:  # gone meanwhile
            head = page.read(2000)
            lang = HTML_LANG.search(head.decode("utf-8", errors="replace"))
            if lang is not None and only in (None, lang.group(1)):
                data = head + page.read()
                found.setdefault(lang.group(1), {})[relative.as_posix()] = data
    return found


def _merge(bundle: Path, site_bundle: Path) -> None:
    """A language's bundle into the site's: its files linked (Pagefind's scripts and
    WebAssembly, the same in every bundle, from the first)."""
    shutil.copytree(bundle, site_bundle, dirs_exist_ok=True, copy_function=_link)


def _merge_entries(site_bundle: Path, entries: list[dict]) -> None:
    """The site's ``pagefind-entry.json``: every language's, as one run over the site writes."""
    languages = {}
    for entry in entries:
        languages.update(entry["languages"])
    merged = {**entries[0], "languages": dict(sorted(languages.items()))}
    path = site_bundle / ENTRY
    path.unlink(missing_ok=True)  # a link to a kept bundle's: never written through
    path.write_text(json.dumps(merged, **JSON), encoding="utf-8")


def _scratch_folder(cache: Path) -> Path:
    """A new folder for Pagefind's output: in the cache's folder, where keeping it is a
    rename; in the system's temporary folder when the cache cannot be written."""
    try:
        return Path(tempfile.mkdtemp(prefix=".new-", dir=_folder(cache)))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="pagefind-"))


def _index_copy(pages: dict[str, bytes]) -> Path:
    """The pages as Pagefind indexes them, in a temporary folder: each page's article, a
    Chinese page's with its Han characters apart (:func:`_indexed_page`).

    Pagefind cuts words at white space only (the extended binary's segmenter, jieba with a
    Simplified Chinese dictionary, cut Traditional text into single characters except where
    its dictionary knew a word, and the browser cuts a query into words, Intl.Segmenter: 資料
    in the query was one word, in the index two, 資 and 料, or part of another, 資料集, and was
    not found). With every Han character a word of its own, search-ui.js asks for the
    characters of a query, in a row; and so both Chinese sites alike. The copy is in memory
    (/dev/shm) where the system has room for it: it is read once, and soon removed.
    """
    size = sum(map(len, pages.values()))
    memory = Path("/dev/shm")
    with contextlib.suppress(OSError):
        if not (os.access(memory, os.W_OK) and shutil.disk_usage(memory).free > 8 * size):
            memory = None  # type: ignore[assignment]
    copy = Path(tempfile.mkdtemp(prefix="pagefind-pages-", dir=memory if memory else None))
    try:
        for relative, data in pages.items():
            target = copy / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            html = data.decode("utf-8", errors="replace")
            target.write_text(_indexed_page(html), encoding="utf-8")
    except BaseException:
        shutil.rmtree(copy, ignore_errors=True)
        raise
    return copy


def _indexed_page(html: str) -> str:
    """What Pagefind reads of a built page: its article alone (all that ROOT_SELECTOR lets it
    index, not the navigation every page carries), in the page's language, with the Han
    characters of a Chinese page apart."""
    found = _article(html)
    if found is None:
        return html
    lang, article = found
    if lang in chinese.SCRIPTS:
        article = han_characters_apart(article)
    return f'<!doctype html><html lang="{lang}"><body>{article}</body></html>'


def _article(html: str) -> tuple[str, str] | None:
    """(language, Material's article) of a built page; None when it lacks either."""
    lang = HTML_LANG.search(html, 0, 2000)
    start = ARTICLE.search(html)
    end = html.rfind(ARTICLE_END)
    if lang is None or start is None or end < start.end():
        return None
    return lang.group(1), html[start.start() : end + len(ARTICLE_END)]


def han_characters_apart(html: str) -> str:
    """The HTML with each Han character of its text a word of its own (never inside a tag):
    a space between it and a character beside it, also where only tags stand between them;
    where the text itself has white space beside a Han character, KEPT_SPACE stands in it as
    a word of its own."""
    out = []
    last = ""  # the text's last character that is not white space, in the parts before
    space = False  # whether white space followed it
    for part in TAG_SPLIT.split(html):
        if not part:
            continue
        if part.startswith("<"):
            out.append(part)
            continue
        if KEPT_SPACE in part:  # the page's own is invisible: only ours is shown as a space
            part = part.replace(KEPT_SPACE, "")
        text = part.rstrip()
        if not text:  # white space only
            out.append(part)
            space = True
            continue
        ends, ends_in_space = text[-1], len(text) < len(part)
        han = HAN.search(part)
        if han is None and not (last and HAN.match(last)):  # no Han character near
            out.append(part)
            last, space = ends, ends_in_space
            continue
        body = part.lstrip()
        if last and (HAN.match(last) or HAN.match(body)):
            gap = part[: len(part) - len(body)]
            out.append(f"{gap}{KEPT_SPACE} " if gap or space else " ")
            part = body
        if han is not None:
            part = HAN_TOUCH.sub(" ", HAN_SPACE.sub(_kept_space, part))
        out.append(part)
        last, space = ends, ends_in_space
    return "".join(out)


def _kept_space(match: re.Match) -> str:
    return f"{match.group(0)}{KEPT_SPACE} "


def _language_key(lang: str, pages: dict[str, bytes]) -> str:
    """What a language's bundle depends on: its pages (path and bytes), Pagefind's version and
    options, this module (which makes the copy it indexes), and what else Pagefind reads them
    with (a pagefind.* file of the folder it runs in, PAGEFIND_* variables)."""
    digest = hashlib.sha256(f"{disk_cache.versions('pagefind-bin')}\0{lang}\0".encode())
    digest.update(Path(__file__).read_bytes())  # how the copy it indexes is made
    digest.update("\0".join(PAGEFIND_OPTIONS).encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith("PAGEFIND_"):
            digest.update(f"\0{name}={value}".encode())
    for config in sorted(Path.cwd().glob("pagefind.*")):
        with contextlib.suppress(OSError):
            digest.update(b"\0" + config.read_bytes())
    for relative, data in sorted(pages.items()):
        digest.update(f"\0{relative}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _keep(output: Path, kept: Path) -> bool:
    """Keep Pagefind's ``output`` (in the cache's folder) as ``kept``, with the most recent
    few bundles of the same language besides; whether ``kept`` now holds the bundle."""
    try:
        os.rename(output, kept)  # whole or not at all
    except OSError:  # another build kept the same one meanwhile, or another file system
        return False
    with contextlib.suppress(OSError):
        language = kept.name.rsplit("-", 1)[0]
        others = sorted(
            (
                p
                for p in kept.parent.iterdir()
                if p.is_dir() and p.name.rsplit("-", 1)[0] == language
            ),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in others[KEEP_INDEXES:]:
            _let_go(old)
        _sweep(kept.parent)
    return True


def _sweep(folder: Path) -> None:
    """Remove what builds that died left in ``folder`` (Pagefind's output, ``.new-*``; a bundle
    let go but not yet removed, ``.old-*``), once older than STALE_SECONDS: a live build's is
    younger; and the bundles of whole sites an older version of this module kept."""
    now = time.time()
    for left in folder.iterdir():
        with contextlib.suppress(OSError):
            if "-" not in left.name:  # a whole site's bundle, kept before languages had theirs
                _let_go(left)
            elif left.name[:5] in (".new-", ".old-") and now - left.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(left, ignore_errors=True)


def _link(source: str, target: str) -> None:
    """``target`` a hard link of ``source`` (a copy across file systems), unless it is there
    already: a file every bundle has, the same in each. A bundle's files are only ever
    replaced (index_site removes the site's bundle first), never written to."""
    if os.path.exists(target):
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _take(kept: Path) -> bool:
    """Whether a bundle is kept; if so, marked as the most recently used (let go last)."""
    with contextlib.suppress(OSError):  # gone, or a checkout we may read but not touch
        os.utime(kept)
    return kept.is_dir()


def _let_go(old: Path) -> None:
    """Remove a kept bundle: first renamed away, so that a build copying it meanwhile gets it
    whole or fails to (and indexes anew), never a part of it."""
    gone = old.with_name(f".old-{uuid.uuid4().hex}")
    try:
        os.rename(old, gone)
    except OSError:  # another build let it go first
        return
    shutil.rmtree(gone, ignore_errors=True)


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def without_page(html: str) -> str:
    """A built page Pagefind leaves out (front matter ``search: {exclude: true}``).

    MarkupMissing when the page lacks Material's article (base.html), which Pagefind indexes.
    """
    return theme_patch.sub(
        ARTICLE,
        lambda m: m.group(0)[:-1] + ' data-pagefind-ignore="all">',
        html,
        count=1,
        template="Material's base.html",
        by="scripts/llmcourse/search.py",
        required=True,
    )


def excluded(meta: dict) -> bool:
    """Whether a page's front matter keeps it out of search, as Material's ``search.exclude``."""
    value = meta.get("search")
    return isinstance(value, dict) and value.get("exclude") is True


def query_tables(lang: str, text: str) -> dict[str, object]:
    """How the browser brings a query to the form the pages of a Chinese site use.

    ``text`` is the Han text of the site's pages.

    - ``chars``: pairs of characters, other script → this site's (where the site's is in
      the pages or in a key), as one string;
    - ``terms``: the other region's terms, in this site's characters → the site's term, kept
      when the pages use the site's term more often than the other (指令 stays 指令 where the
      pages say 指令 more than 命令, the other region's word for it); and the site's terms
      that hold another key → themselves, so they stay whole (向量資料庫 is not read as
      向量資料 + 庫). Applied longest match first.
    """
    chars = _char_table(lang)
    # keys: the other region's terms, values: this site's; and the other way round
    into = glossary.glossary(chinese.GLOSSARY_INTO[lang]).entries
    back = glossary.glossary(chinese.GLOSSARY_INTO[chinese.other(lang)]).entries
    pairs = [*into.items(), *((theirs, mine) for mine, theirs in back.items())]
    terms: dict[str, str] = {}
    for theirs, mine in pairs:
        if mine not in text:  # then it is not used more often than anything
            continue
        key = normalise(theirs, chars)
        if key != mine and key not in terms and text.count(mine) > text.count(key):
            terms[key] = mine
    for mine in sorted(set(terms.values())):
        parts = {mine[i:j] for i in range(len(mine)) for j in range(i + 1, len(mine) + 1)}
        if (parts - {mine}) & terms.keys():
            terms.setdefault(mine, mine)
    # Only the characters a query can usefully become: those of the pages and of the keys.
    useful = set(text).union(*terms)
    return {
        "lang": lang,
        "chars": "".join(a + b for a, b in sorted(chars.items()) if b in useful),
        "terms": dict(sorted(terms.items())),
    }


def site_text(site: Path) -> dict[str, str]:
    """Each Chinese site's Han text (:func:`language_text`), from its built pages."""
    found = _pages_by_language(site)
    return {lang: language_text(found.get(lang, {})) for lang in chinese.SCRIPTS}


def language_text(pages: dict[str, bytes]) -> str:
    """The Han text of pages: the distinct runs of their articles (what search finds)."""
    runs: set[str] = set()
    for data in pages.values():
        found = _article(data.decode("utf-8", errors="replace"))
        if found is not None:
            runs.update(HAN_RUN.findall(TAG.sub(" ", found[1])))
    return "\n".join(sorted(runs))


def normalise(query: str, chars: dict[str, str], terms: dict[str, str] | None = None) -> str:
    """A query as search-ui.js reads it: full-width ASCII folded, characters in the site's
    script, then the other region's terms replaced by the site's (longest match first)."""
    out = []
    for ch in query:
        if "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        out.append(chars.get(ch, ch))
    text = "".join(out)
    if not terms:
        return text
    longest = max(map(len, terms))
    result, i = [], 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 0, -1):
            if text[i : i + n] in terms:
                result.append(terms[text[i : i + n]])
                i += n
                break
        else:
            result.append(text[i])
            i += 1
    return "".join(result)


@functools.cache
def _char_table(lang: str) -> dict[str, str]:
    """Each Han character → the one OpenCC makes of it for the site's script, where it differs."""
    changes = opencc_chain.char_changes(chinese.CHARS_INTO[lang])
    return {a: b for a, b in changes.items() if len(b) == 1 and HAN.fullmatch(a)}


#: Query tables by site text and toolkit (:func:`_kept_tables`).
_TABLES = disk_cache.Store(CACHE / "search", keep=16)


JSON = {"ensure_ascii": False, "separators": (",", ":")}
