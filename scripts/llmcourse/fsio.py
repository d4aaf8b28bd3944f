"""Crash-safe file writes and the lock the importer holds around its manifest.

Every file the tools write goes through :func:`atomic_write`: the bytes go to a temporary
file in the same folder, are flushed and fsync'ed, and the temporary file is renamed over the
target with :func:`os.replace`, which POSIX makes atomic.  A process killed at any moment
leaves either the old file or the new one, complete, never a truncated mix; at worst a
temporary file named ``.NAME.XXXXXXXX.tmp`` stays behind (a dotfile: MkDocs and ``check``
skip it), and :func:`remove_stale_temporaries` can clear it later.

:func:`locked` takes an exclusive ``fcntl.flock`` on a lock file; the kernel drops it when
the holder dies, so a killed import never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "TEMP_SUFFIX",
    "atomic_create",
    "atomic_write",
    "locked",
    "remove_stale_temporaries",
    "write_if_changed",
]

#: Suffix of the temporary files :func:`atomic_write` creates (``.NAME.XXXXXXXX.tmp``).
TEMP_SUFFIX = ".tmp"


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes, mode: int | None) -> Path:
    """``data`` in a fsync'ed temporary file beside ``path``, with ``mode`` when given."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def _default_mode() -> int:
    """The mode ``open()`` would give a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Replace ``path`` with ``data`` (str is written as UTF-8) atomically.

    The folder is created when missing.  An existing file keeps its permission bits; a new one
    gets the mode ``open()`` would give it.  If ``path`` is a symbolic link, the link itself is
    replaced by a regular file (its target is left alone).
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            mode = _default_mode()
    except FileNotFoundError:
        mode = _default_mode()
    tmp = _write_temp(path, raw, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_create(path: str | os.PathLike[str], data: bytes | str) -> bool:
    """Create ``path`` with ``data`` atomically, never replacing an existing file.

    Returns False (and writes nothing) when ``path`` already exists.  The file appears
    complete or not at all: it is written to a temporary file and hard-linked into place.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, raw, _default_mode())
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)
    return True


def write_if_changed(path: Path, text: str) -> Path:
    """Write a generated file only when its content changes (mkdocs serve, git stay quiet)."""
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return path
    except (FileNotFoundError, NotADirectoryError):
        pass
    return atomic_write(path, text)


@contextlib.contextmanager
def locked(lock_path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold an exclusive lock on ``lock_path`` (created when missing, never deleted).

    Blocks until the lock is free.  The lock file stays in place: deleting it would let two
    processes lock two different files of the same name.
    """
    lock_path = Path(lock_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield lock_path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class NotUTF8(ValueError):
    """A file that is not UTF-8; the message names ``path:line:col`` of the first bad byte."""

    def __init__(self, path: str | os.PathLike[str], line: int, col: int, byte: int) -> None:
        self.line, self.col = line, col
        super().__init__(f"{path}:{line}:{col}: not valid UTF-8 (byte 0x{byte:02x})")


def read_utf8(path: str | os.PathLike[str]) -> str:
    """A text file's content; :class:`NotUTF8` at the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise NotUTF8(path, line, col, data[exc.start]) from None


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove what an :func:`atomic_write` of ``path`` killed half-way left beside it.

    Only call this while no other process can be writing ``path`` (e.g. under :func:`locked`).
    Returns the files removed.
    """
    path = Path(path)
    removed = []
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}{re.escape(TEMP_SUFFIX)}")
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
        if pattern.fullmatch(tmp.name):  # the names tempfile.mkstemp gives
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
    return removed
