"""Results kept by a key of all they depend on: in memory for the process, on disk for later builds.

The three language builds of one `mkdocs build` repeat much of each other's work, and so does
every build of an unchanged course. A ``Store`` remembers a JSON-able result under a key that
hashes all its inputs (the caller's job: :func:`source_digest` covers the toolkit's own code and
data), in ``.cache/<name>/``, keeping the most recently used entries. A missing, unreadable or
damaged entry is made again; a read-only checkout builds with memory only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import unicodedata
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from llmcourse.fsio import atomic_write

#: A folder is trimmed to its ``keep`` entries at the first new entry and every 32nd after it
#: (not at every one: that would read the whole folder each time).
EVICT_EVERY = 32


class Store:
    """JSON-able results by key: in ``folder`` (the ``keep`` most recently used, give or take
    :data:`EVICT_EVERY`) and in memory (the ``keep`` most recently used)."""

    def __init__(self, folder: Path, keep: int) -> None:
        self.folder = folder
        self.keep = keep
        self.memory: dict[str, object] = {}
        self.written = 0

    def get(self, key: str, make: Callable[[], object]) -> object:
        """``make()`` once per key: from memory, the folder, or made anew and kept."""
        if key in self.memory:
            self.memory[key] = self.memory.pop(key)  # most recently used: kept in memory
            return self.memory[key]
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # missing, or unreadable: make it again and replace it
            data = make()
            # ASCII JSON: text from a page (a notebook's "\ud800") may hold a lone surrogate,
            # which UTF-8 cannot write; escaped, it reads back the same
            with contextlib.suppress(OSError):  # a read-only checkout: memory only
                atomic_write(path, json.dumps(data))
                self.written += 1
                if (self.written - 1) % EVICT_EVERY == 0:
                    self._evict()
        else:
            with contextlib.suppress(OSError):  # an entry we may read but not touch
                os.utime(path)  # recently used: kept by _evict
        if len(self.memory) >= self.keep:
            self.memory.pop(next(iter(self.memory)))
        self.memory[key] = data
        return data

    def _evict(self) -> None:
        """Keep the ``keep`` most recently used entries of the folder."""
        entries = []
        for path in self.folder.glob("*.json"):
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime, path))
        for _, path in sorted(entries, reverse=True)[self.keep :]:
            with contextlib.suppress(OSError):
                path.unlink()


def source_digest(paths: Iterable[Path]) -> str:
    """A hash of the files under ``paths`` (folders walked in order, hidden files aside).

    Taken before every build, by more than one hook, so that an edit to the code or the
    glossary never serves a result made by the old one. The files are read again only when
    one of them was added, removed or changed its modification time or size (as Python
    decides whether a compiled module is stale); otherwise the last digest is the answer.
    """
    files = []
    for top in paths:
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            parts = path.relative_to(top).parts if top.is_dir() else (path.name,)
            if any(part.startswith(".") or part == "__pycache__" for part in parts):
                continue  # editor swap files, compiled code
            try:
                stat = path.stat()
            except FileNotFoundError:  # just removed
                continue
            if path.is_file():
                files.append(("/".join(parts), path, stat.st_mtime_ns, stat.st_size))
    signature = tuple((name, str(path), mtime, size) for name, path, mtime, size in files)
    if signature not in _DIGESTS:
        digest = hashlib.sha256()
        for name, path, _, _ in files:
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # removed since: the next call sees it gone
                continue
            digest.update(f"\0{name}\0".encode())
            digest.update(data)
        if len(_DIGESTS) >= 8:
            _DIGESTS.pop(next(iter(_DIGESTS)))
        _DIGESTS[signature] = digest.hexdigest()
    return _DIGESTS[signature]


#: source_digest's answers by the files' names, modification times and sizes.
_DIGESTS: dict[tuple, str] = {}


@functools.cache
def versions(*packages: str) -> str:
    """The installed versions of ``packages`` (and of Python's Unicode data), for a key: a
    result made by another version of a library it depends on is not reused."""
    found = [f"{name}={metadata.version(name)}" for name in packages]
    return ",".join([*found, f"unicode={unicodedata.unidata_version}"])
