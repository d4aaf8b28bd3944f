"""Results kept by a key of all they depend on: in memory for the process, on disk for later builds.

The three language builds of one `mkdocs build` repeat much of each other's work, and so does
every build of an unchanged course. A ``Store`` remembers a JSON-able result under a key that
hashes all its inputs (the caller's job: :func:`source_digest` covers the toolkit's own code and
data), in ``.cache/<name>/``, keeping the most recently used entries. A missing, unreadable or
damaged entry is made again; a read-only checkout builds with memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from llmcourse.fsio import atomic_write

CACHE = Path(__file__).resolve().parent.parent.parent / ".cache"


class Store:
    """JSON-able results by key, in ``folder`` (the ``keep`` most recently used) and memory."""

    def __init__(self, folder: Path, keep: int) -> None:
        self.folder = folder
        self.keep = keep
        self.memory: dict[str, object] = {}

    def get(self, key: str, make: Callable[[], object]) -> object:
        """``make()`` once per key: from memory, the folder, or made anew and kept."""
        if key in self.memory:
            return self.memory[key]
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            os.utime(path)  # recently used: kept by _evict
        except (OSError, ValueError):  # missing, or unreadable: make it again and replace it
            data = make()
            with contextlib.suppress(OSError):  # a read-only checkout: memory only
                atomic_write(path, json.dumps(data, ensure_ascii=False))
                self._evict()
        if len(self.memory) >= self.keep:
            self.memory.pop(next(iter(self.memory)))
        self.memory[key] = data
        return data

    def _evict(self) -> None:
        entries = []
        for path in self.folder.glob("*.json"):
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime, path))
        for _, path in sorted(entries, reverse=True)[self.keep :]:
            with contextlib.suppress(OSError):
                path.unlink()


def source_digest(paths: Iterable[Path]) -> str:
    """A hash of the files under ``paths`` (folders walked in order, hidden files aside).

    Cheap enough to take before every build (a few milliseconds for the toolkit and locales),
    so that an edit to the code or the glossary never serves a result made by the old one.
    """
    digest = hashlib.sha256()
    for top in paths:
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for path in files:
            name = path.relative_to(top).as_posix() if top.is_dir() else path.name
            if path.is_file() and "__pycache__" not in name and not name.startswith("."):
                digest.update(f"\0{name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
