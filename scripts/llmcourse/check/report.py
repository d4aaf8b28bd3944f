"""What a check finds: a problem at a file's line and column, and each file's capped list."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

#: Problems listed per file before the rest are summed up in one line.
MAX_PER_FILE = 100
#: Problems of one kind (U+FFFD, unsafe HTML…) listed per file.
MAX_PER_KIND = 20


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at a 1-based line and column of a file, with a one-line fix."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def format(self) -> str:
        """``file:line:col: message (hint: …)``."""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{hint}"

    def __str__(self) -> str:
        return self.format()


@dataclass
class FileReport:
    """The problems found in one file (capped at :data:`MAX_PER_FILE`)."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, line: int, col: int, message: str, hint: str = "", kind: str = "") -> bool:
        """Record a problem; False once ``kind`` has :data:`MAX_PER_KIND` problems already."""
        if kind:
            seen = self.kinds.get(kind, 0)
            self.kinds[kind] = seen + 1
            if seen == MAX_PER_KIND:
                self.problems.append(
                    Problem(
                        self.path,
                        max(line, 1),
                        max(col, 1),
                        f"more {kind} problems after this one are not listed",
                        hint,
                    )
                )
                return False
            if seen > MAX_PER_KIND:
                return False
        if len(self.problems) >= MAX_PER_FILE:
            self.dropped += 1
            return False
        self.problems.append(Problem(self.path, max(line, 1), max(col, 1), message, hint))
        return True

    def finish(self) -> list[Problem]:
        """The problems in file order, with a last line counting those not listed."""
        out = sorted(self.problems)
        if self.dropped:
            last = out[-1]
            out.append(
                Problem(
                    self.path,
                    last.line,
                    last.col,
                    f"{self.dropped} more problems in this file are not listed",
                )
            )
        return out


class Positions:
    """Offsets of a text to 1-based line and column."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        """(line, col) of ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


_LOCATED = re.compile(r"(\d+):(\d+): (.*)", re.S)


def split_located(message: str, path: str) -> tuple[int, int, str]:
    """(line, col, rest) of a ``path:line:col: rest`` message; (1, 1, rest) otherwise."""
    rest = message[len(path) + 1 :].lstrip() if message.startswith(path + ":") else message
    m = _LOCATED.match(rest)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3)
    return 1, 1, rest
