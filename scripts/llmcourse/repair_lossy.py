"""The lossy chooser: damaged characters' candidates decoded as a lattice by the language model.

Each window of Han characters and candidates is decoded with :mod:`llmcourse.langmodel`; every
choice gets a confidence from the max-marginal scores.
"""

from __future__ import annotations

from .repair_line import Pos
from .repair_score import symbol_logp, unmatched_openers

#: Temperature applied to the language model's max-marginal scores to get confidences.
TEMPERATURE = 1.0


def choose(lines: list[list[Pos]], script: str) -> None:
    """Decode every lossy position with the language model (in place)."""
    from .langmodel import is_han, load_model

    lm = load_model()
    for positions in lines:
        if not any(p.candidates for p in positions):
            continue
        # tentative choice: the best candidate on its own
        for p in positions:
            if p.candidates:
                p.char = max(
                    p.candidates,
                    key=lambda c: (
                        (lm.single_logp(c) + lm.script_penalty(c, script))
                        if is_han(c)
                        else symbol_logp(c, None, None)
                    ),
                )
        n = len(positions)
        i = 0
        while i < n:
            if not (positions[i].candidates or is_han(positions[i].char)):
                i += 1
                continue
            j = i
            while j < n and (positions[j].candidates or is_han(positions[j].char)):
                j += 1
            if any(p.candidates for p in positions[i:j]):
                _decode_window(lm, positions, i, j, script)
            i = j


def _decode_window(lm: object, positions: list[Pos], lo: int, hi: int, script: str) -> None:
    from .langmodel import ChineseLM, decode_lattice, is_han

    assert isinstance(lm, ChineseLM)
    window = positions[lo:hi]
    line = [p.char for p in positions]  # current best guesses
    lattice = []
    for i, p in enumerate(window):
        if not p.candidates:
            lattice.append([(p.char, 0.0)])
            continue
        k = lo + i + 1
        after = positions[k].char if k < len(positions) else None
        if after in ("\r", "\n"):
            after = None
        ctx_before = "".join(line[max(0, lo + i - 20) : lo + i])
        lattice.append(
            [
                (c, lm.script_penalty(c, script) + lm.clause_prior(c, ctx_before, after))
                if is_han(c)
                else (c, 0.0)
                for c in p.candidates
            ]
        )

    opened_at: dict[int, str] = {}

    def other(i: int, ch: str) -> float:
        k = lo + i
        prev = positions[k - 1].char if k > 0 else None
        nxt = positions[k + 1].char if k + 1 < len(positions) else None
        if k not in opened_at:
            opened_at[k] = unmatched_openers(line[:k])
        return symbol_logp(ch, prev, nxt, opened_at[k])

    res = decode_lattice(lm, lattice, other)
    for i, p in enumerate(window):
        if not p.candidates:
            continue
        p.char = p.candidates[res.choice[i]]
        p.confidence = res.confidence(i, TEMPERATURE)
        p.scores = tuple(res.scores[i])
