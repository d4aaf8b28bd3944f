"""How a page's files and outputs are named, for every tool that needs to know."""

from __future__ import annotations

import re
from pathlib import Path

LANGUAGE_FILE = re.compile(r"(\.zh-CN|\.en)?\.(md|ipynb)$")


def page_key(src_uri: str) -> str:
    """The language-neutral path of a page: scientist/evaluation.en.md → scientist/evaluation."""
    return LANGUAGE_FILE.sub("", src_uri)


def source_file(docs: Path, src_uri: str) -> Path | None:
    """The file a page is built from: itself, or the Chinese source in the other script."""
    candidates = [src_uri]
    key, ext = page_key(src_uri), src_uri.rsplit(".", 1)[-1]
    candidates += [f"{key}.{ext}", f"{key}.zh-CN.{ext}"]
    return next((docs / c for c in candidates if (docs / c).is_file()), None)
