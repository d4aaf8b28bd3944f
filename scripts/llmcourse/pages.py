"""Pages and their languages: the language list, read once from mkdocs.yml's i18n config, and
how a page is named in each language (its file in docs/, its URL), for every tool that needs to.

The default language's page files are ``<key>.md`` and it is served at the site root; another
language's are ``<key>.<locale>.md``, served under ``<locale>/`` (notebooks the same with
``.ipynb``). A page has one Chinese source, in one of the Chinese scripts
(:mod:`llmcourse.chinese`); its page in the other script is converted from it. A language
that is not a Chinese script (a *translation*: en) shows the page's own file in that
language or, while there is none, the Chinese source (mkdocs-static-i18n's fallback).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from llmcourse import ROOT, chinese, yamlfile

CONFIG = ROOT / "mkdocs.yml"
#: How a page's file name ends.
EXTENSIONS = ("md", "ipynb")
#: How a page in one language is made: its own file, converted from the Chinese source in
#: the other script, or the Chinese source shown as it is (a translation not written yet).
OWN, CONVERTED, FALLBACK = "own", "converted", "fallback"
#: Front matter keys a page may have. The build drops any other before a template or plugin
#: reads it (``template: redirect.html`` with a ``location`` would make the page a redirect to
#: anywhere), and ``course.py check`` reports it.
FRONT_MATTER_KEYS = (
    "title",
    "description",
    "hide",
    "icon",
    "status",
    "search",
    "conversion",
    "parity",
    "upstream",
    "regional",
    "locale_text",
)
#: A locale as the i18n config may name one (BCP 47-like: en, zh-TW).
LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Language:
    """One language of the site, as mkdocs.yml's i18n config lists it."""

    locale: str  # "zh-CN"
    name: str  # in English, for the command line's messages: "Simplified Chinese"
    default: bool  # the one at the site root, whose files have no language suffix
    build: bool  # built (mkdocs-static-i18n can list a language it does not build)

    @property
    def prefix(self) -> str:
        """Its folder in the site: "" for the default language, else "<locale>/"."""
        return "" if self.default else f"{self.locale}/"

    @property
    def suffix(self) -> str:
        """What its page files carry before the extension: "" for the default, ".<locale>"."""
        return "" if self.default else f".{self.locale}"


class _ConfigLoader(yamlfile.LOADER):  # type: ignore[misc,valid-type]
    """mkdocs.yml as plain data: its tags (``!ENV``, ``!!python/name:``) read as nothing,
    so reading the language list never imports or runs anything (libyaml's safe loader: every
    process reads it at start)."""


def _no_value(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_ConfigLoader.add_multi_constructor("!", _no_value)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _no_value)


@functools.cache
def read_config(config: Path = CONFIG) -> dict:
    """``config`` (mkdocs.yml) as plain data, read once; not to be changed by callers."""
    with config.open(encoding="utf-8") as f:
        data = yaml.load(f, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader
    return data if isinstance(data, dict) else {}


@functools.cache
def read_languages(config: Path = CONFIG) -> tuple[Language, ...]:
    """The languages of ``config``'s i18n plugin, in its order."""
    where = f"{config}: plugins: i18n: languages"
    plugins = read_config(config).get("plugins")
    if isinstance(plugins, dict):
        i18n = plugins.get("i18n")
    else:
        found = (p["i18n"] for p in plugins or [] if isinstance(p, dict) and "i18n" in p)
        i18n = next(found, None)
    entries = i18n.get("languages") if isinstance(i18n, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: no language listed")
    out = []
    for entry in entries:
        locale = entry.get("locale") if isinstance(entry, dict) else None
        if not isinstance(locale, str) or not LOCALE.fullmatch(locale):
            raise ValueError(f"{where}: {entry!r} has no valid locale")
        name = str(entry.get("name") or locale)
        default, build = entry.get("default") is True, entry.get("build") is not False
        out.append(Language(locale, name, default, build))
    if sum(lang.default for lang in out) != 1:
        raise ValueError(f"{where}: exactly one language has default: true")
    if len({lang.locale for lang in out}) != len(out):
        raise ValueError(f"{where}: a locale is listed twice")
    return tuple(out)


#: Every language of mkdocs.yml's i18n config.
LANGUAGES = read_languages()
_BY_LOCALE = {lang.locale: lang for lang in LANGUAGES}
#: The default language's locale (zh-TW): at the site root, its files without a suffix.
DEFAULT = next(lang.locale for lang in LANGUAGES if lang.default)
#: The locales the site is built in, in the config's order (zh-TW, zh-CN, en).
LANGS = tuple(lang.locale for lang in LANGUAGES if lang.build)
#: The built languages that are not a Chinese script: each shows its own translation of a
#: page or, while there is none, the page's Chinese source.
TRANSLATIONS = tuple(lang for lang in LANGS if lang not in chinese.SCRIPTS)
#: The Chinese scripts a page's source can be written in, the default language's first.
SOURCE_LANGS = tuple(
    sorted((s for s in chinese.SCRIPTS if s in _BY_LOCALE), key=lambda s: s != DEFAULT)
)
#: A page file's language suffix (group 1, None for the default language) and extension.
LANGUAGE_FILE = re.compile(
    "("
    + "|".join(re.escape(lang.suffix) for lang in LANGUAGES if not lang.default)
    + r")?\.(md|ipynb)$"
)


def language(locale: str) -> Language:
    """The language of a locale listed in mkdocs.yml."""
    if locale not in _BY_LOCALE:
        raise ValueError(f"unknown language {locale!r}; mkdocs.yml lists {', '.join(LANGS)}")
    return _BY_LOCALE[locale]


def prefix(locale: str) -> str:
    """A language's folder in the site: "" for the default, "zh-CN/" for zh-CN."""
    return language(locale).prefix


def names(locales: tuple[str, ...] | list[str], joiner: str = "and") -> str:
    """The languages' English names for a message: "English", "English and Japanese"."""
    words = [language(lang).name for lang in locales]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def language_of(src_uri: str) -> str:
    """The language of a page file, from its suffix: guide.en.md → en, guide.md → zh-TW."""
    found = LANGUAGE_FILE.search(src_uri)
    return found.group(1)[1:] if found and found.group(1) else DEFAULT


def page_key(src_uri: str) -> str:
    """The language-neutral path of a page: scientist/evaluation.en.md → scientist/evaluation."""
    return LANGUAGE_FILE.sub("", src_uri)


def file_name(key: str, ext: str, lang: str) -> str:
    """A page's file in a language: (guide, md, en) → guide.en.md; the default's guide.md."""
    return f"{key}{language(lang).suffix}.{ext}"


def chinese_names(key: str, ext: str) -> list[str]:
    """The files that can be a page's Chinese source: guide.md, guide.zh-CN.md."""
    return [file_name(key, ext, script) for script in SOURCE_LANGS]


def chinese_source(docs: Path, key: str, ext: str) -> Path | None:
    """The one Chinese source of a page, in whichever script it was written."""
    return next((docs / n for n in chinese_names(key, ext) if (docs / n).is_file()), None)


def source_file(docs: Path, src_uri: str) -> Path | None:
    """The file a page is built from: itself, or the Chinese source it is converted from
    (or, for a translation not written yet, shows)."""
    key, ext = page_key(src_uri), src_uri.rsplit(".", 1)[-1]
    candidates = [src_uri, *chinese_names(key, ext)]
    return next((docs / c for c in candidates if (docs / c).is_file()), None)


def url(key: str, lang: str) -> str:
    """A page's path in the built site: guide → /zh-CN/guide/, index → /en/."""
    from mkdocs.structure.files import File  # MkDocs' own URL rule (use_directory_urls)

    path = File(f"{key}.md", None, None, use_directory_urls=True).url
    return "/" + prefix(lang) + ("" if path == "./" else path)


@dataclass(frozen=True)
class Page:
    """One page in one language: what it is made from and where the site serves it."""

    key: str  # language-neutral path: scientist/evaluation
    ext: str  # md or ipynb
    lang: str  # the language it is shown in
    file: str  # the docs/ file it is made from (its own, else its Chinese source)
    source: str  # the docs/ file of its Chinese source

    @property
    def script(self) -> str:
        """The Chinese script its source is written in."""
        return language_of(self.source)

    @property
    def kind(self) -> str:
        """OWN, CONVERTED or FALLBACK."""
        if language_of(self.file) == self.lang:
            return OWN
        return CONVERTED if self.lang in chinese.SCRIPTS else FALLBACK

    @property
    def url(self) -> str:
        return url(self.key, self.lang)


def page(docs: Path, key: str, ext: str, lang: str) -> Page | None:
    """The page ``key`` in ``lang``; None when it has no Chinese source."""
    source = chinese_source(docs, key, ext)
    if source is None:
        return None
    own = docs / file_name(key, ext, lang)
    made_from = own if lang not in chinese.SCRIPTS and own.is_file() else source
    return Page(key, ext, lang, _rel(made_from, docs), _rel(source, docs))


def tracks(config: Path = CONFIG) -> tuple[str, ...]:
    """The folders of the nav's sections that open with their overview (``<folder>/index.md``),
    in nav order: the course's tracks (fundamentals, scientist, engineer, notes)."""
    out = []
    for item in read_config(config).get("nav") or []:
        children = next(iter(item.values()), None) if isinstance(item, dict) else None
        first = children[0] if isinstance(children, list) and children else None
        if isinstance(first, str) and first.endswith("/index.md"):
            out.append(first.removesuffix("/index.md"))
    return tuple(out)


def _rel(path: Path, docs: Path) -> str:
    return path.relative_to(docs).as_posix()
