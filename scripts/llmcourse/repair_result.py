"""What a repair reports: findings, decoded and repaired text, the errors for unreadable input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: A character chosen with at least this confidence counts as restored.
CONFIDENT = 0.9


@dataclass(frozen=True)
class Finding:
    """One thing the repair noticed or did, at a 1-based line/column of the *input* text.

    ``confidence`` is 1.0 for exact (lossless) repairs, below :data:`CONFIDENT` for choices
    the language model could not make with confidence, and 0.0 for damage left unrestored.
    """

    source: str
    line: int
    col: int
    kind: str
    confidence: float
    detail: str
    candidates: tuple[str, ...] = ()

    def format(self) -> str:
        """The report line: ``path:line:col: kind (confidence 0.97): detail``."""
        return (
            f"{self.source}:{self.line}:{self.col}: {self.kind} "
            f"(confidence {self.confidence:.2f}): {self.detail}"
        )

    def __str__(self) -> str:
        return self.format()


@dataclass
class Decoded:
    """Text decoded from bytes, with the encoding that was recognised."""

    text: str
    encoding: str
    findings: list[Finding] = field(default_factory=list)
    bom: bool = False


@dataclass
class Repair:
    """Outcome of a repair: the repaired text and what was done to it."""

    text: str
    findings: list[Finding]
    changed: bool
    source: str = "<text>"
    encoding: str = "utf-8"

    @property
    def unresolved(self) -> list[Finding]:
        """Findings that could not be restored with confidence, one per character or problem.

        Characters chosen without confidence (``lossy-mojibake-uncertain``) and damage left as
        it was (confidence 0, e.g. ``replacement-char``); the per-run ``lossy-mojibake``
        summaries, which repeat their uncertain characters, are not listed again.
        """
        return [f for f in self.findings if f.confidence < CONFIDENT and f.kind != "lossy-mojibake"]


class RepairError(ValueError):
    """Base class of the errors this module raises for unreadable input."""


class EncodingAmbiguous(RepairError):
    """The bytes decode validly, and plausibly, in more than one encoding."""

    def __init__(
        self,
        source: str,
        candidates: Sequence[str],
        detail: str = "",
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        self.source = source
        self.candidates = tuple(candidates)
        self.line, self.col = line, col
        where = f"{source}:{line}:{col}" if line is not None else source
        msg = (
            f"{where}: encoding is ambiguous: the bytes decode validly as "
            f"{' and as '.join(self.candidates)}"
        )
        if detail:
            msg += f" ({detail})"
        msg += "; convert the file to UTF-8 with the right encoding named explicitly"
        super().__init__(msg)


class UndecodableBytes(RepairError):
    """No supported encoding accepts the bytes."""

    def __init__(self, source: str, line: int, col: int, encoding: str, reason: str) -> None:
        self.source, self.line, self.col = source, line, col
        self.encoding, self.reason = encoding, reason
        super().__init__(f"{source}:{line}:{col}: undecodable bytes ({encoding}: {reason})")


def short(s: str, limit: int = 40) -> str:
    """``s`` as a finding quotes it: its repr, cut to ``limit`` characters."""
    r = repr(s)
    return r if len(r) <= limit else r[: limit - 4] + "…" + r[-3:]
