"""Peeling damage layer after layer: misread, saved, misread again; repaired outside in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .repair_result import Finding, Repair

#: One layer of repair: text, source -> (text, findings, per repaired line the input column
#: each output character came from).
PeelOnce = Callable[[str, str], tuple[str, list[Finding], dict[int, list[int]]]]

#: Findings that describe the text as it stands, not a repair: reported for one layer only.
_FIRST_LAYER_ONLY = frozenset({"mojibake-in-code"})
_LAST_LAYER_ONLY = frozenset({"replacement-char"})


def split_lines(text: str) -> list[str]:
    """Lines split on LF only (CR, NEL, LS… stay inside lines, untouched)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def peel_layers(text: str, source: str, peel_once: PeelOnce, max_layers: int) -> Repair:
    """Apply ``peel_once`` until the text stops changing (at most ``max_layers`` times).

    Each layer's findings are placed at the line and column of the *input* that the damaged
    run came from.  A line whose last peel wrote U+FFFD its input did not have (a byte lost in
    an inner layer that no candidate could fill) goes back to the last layer that did not,
    reported as ``damage-left``: damaged text stays as it was rather than being guessed.
    """
    lines = split_lines(text)
    history: list[list[str]] = [[line] for line in lines]  # every version of each line
    colmaps: list[list[int]] = [list(range(len(line))) for line in lines]
    per_layer: list[list[Finding]] = []
    current = text
    for layer in range(1, max_layers + 1):
        out, found, maps = peel_once(current, source)
        new_lines = split_lines(out)
        if len(new_lines) != len(lines):  # a layer never merges or splits lines
            raise AssertionError(f"{source}: layer {layer} changed the number of lines")
        per_layer.append([_place(f, colmaps, layer) for f in found])
        if out == current:
            break
        for lno, line in enumerate(new_lines):
            if line == history[lno][-1]:
                continue
            old = colmaps[lno]
            if lno in maps:
                colmaps[lno] = [old[c] if c < len(old) else len(lines[lno]) for c in maps[lno]]
            else:  # ftfy's fallback: no column map, keep the outer columns as they were
                colmaps[lno] = [old[min(c, len(old) - 1)] if old else 0 for c in range(len(line))]
            history[lno].append(line)
        current = out
    last = len(per_layer)
    findings: list[Finding] = []
    final_lines: list[str] = []
    for lno, versions in enumerate(history):
        keep = len(versions) - 1  # index of the version kept
        allowed = versions[0].count("\ufffd")
        while keep > 0 and versions[keep].count("\ufffd") > allowed:
            keep -= 1
        final_lines.append(versions[keep])
        for layer, found in enumerate(per_layer, start=1):
            for f in found:
                if f.line != lno + 1:
                    continue
                if f.kind in _FIRST_LAYER_ONLY and layer > 1:
                    continue
                if f.kind in _LAST_LAYER_ONLY and layer != min(last, keep + 1):
                    continue
                if layer > keep and f.kind not in _FIRST_LAYER_ONLY | _LAST_LAYER_ONLY:
                    continue  # a repair of a layer that was given up on this line
                findings.append(f)
        if keep < len(versions) - 1:
            findings.append(
                Finding(
                    source,
                    lno + 1,
                    1,
                    "damage-left",
                    0.0,
                    f"layer {keep + 1} of the damage could not be peeled without writing U+FFFD "
                    f"for a lost byte: the line is left as {keep} layer(s) of repair gave it",
                )
            )
    findings.sort(key=lambda f: (f.line, f.col))
    new = "".join(final_lines)
    return Repair(new, findings, new != text, source)


def _place(f: Finding, colmaps: list[list[int]], layer: int) -> Finding:
    """``f`` (found in the text of ``layer``) at the line and column of the original input."""
    if layer == 1:
        return f
    cols = colmaps[f.line - 1]
    col = cols[f.col - 1] + 1 if 0 < f.col <= len(cols) else f.col
    detail = f"{f.detail} [damage layer {layer}]"
    return replace(f, col=col, detail=detail)
