"""The docs tree a check reads: each page's language, key, text and anchors, read once."""

from __future__ import annotations

from pathlib import Path

from llmcourse import chinese, pages
from llmcourse.toc import anchors


def lang_of(path: Path) -> str:
    """zh-TW, zh-CN or en (a language of mkdocs.yml), from a page's file name."""
    return pages.language_of(path.name)


def key_of(rel: str) -> tuple[str, str]:
    """(page key without language suffix and extension, extension) of a docs-relative path."""
    stem, _, ext = rel.rpartition(".")
    return (pages.page_key(rel) if ext in pages.EXTENSIONS else stem), ext


class Site:
    """One docs tree: reads each file once, computes each page's anchors once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[Path, str | None] = {}
        self._anchors: dict[Path, list[str]] = {}

    def text(self, path: Path) -> str | None:
        """The UTF-8 text of a file (BOM dropped), or None when it is not readable as such."""
        if path not in self._texts:
            try:
                data = path.read_bytes()
                self._texts[path] = None if b"\x00" in data else data.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def anchors(self, path: Path) -> list[str]:
        """Anchors of a Markdown page (empty when it cannot be read)."""
        if path not in self._anchors:
            text = self.text(path)
            self._anchors[path] = anchors(text) if text is not None else []
        return self._anchors[path]

    def chinese_source(self, key: str, ext: str) -> Path | None:
        """The Chinese source of a page (zh-TW ``X.ext`` or zh-CN ``X.zh-CN.ext``)."""
        return pages.chinese_source(self.root, key, ext)

    def translation(self, key: str, ext: str, lang: str) -> Path | None:
        """The page's own file in a translation's language (``X.en.ext``), if it has one."""
        path = self.root / pages.file_name(key, ext, lang)
        return path if path.is_file() else None

    def page_for(self, key: str, ext: str, lang: str) -> Path | None:
        """The file a page is made from in a language's site."""
        if lang not in chinese.SCRIPTS:
            return self.translation(key, ext, lang) or self.chinese_source(key, ext)
        return self.chinese_source(key, ext)
