"""Structural parity of a page's translation with its Chinese source.

A translation (en, or any other language of mkdocs.yml that is not a Chinese script) changes
the prose and nothing else: the same headings (count and level), the same link targets in the
same order (links inside the site compared without their ``#anchor``, which each language
makes from its own headings), the same images, the same tables (row counts) and identical code
blocks (up to the indentation they share). :func:`compare` lists every
difference, located in the translation's file, its message naming the translation's language
as mkdocs.yml's i18n config does (:mod:`llmcourse.pages`: "missing in English"); the
translation's front matter may declare a kind of difference intentional
(:func:`declarations`)::

    parity:
      - check: links
        reason: "the English original lists one reference fewer"

Schema of ``parity`` (in the translation's front matter): a list of mappings, each with

* ``check`` (required): one of :data:`KINDS` - ``headings``, ``links``, ``images``,
  ``tables``, ``code``;
* ``reason`` (required): a non-empty string saying why the difference is intended.

A declaration accepts every difference of its kind on that page. A declaration without a
reason, with another key, or for a kind that shows no difference any more is an error
(:func:`validate`). zh-TW and zh-CN versions of a page are one source converted at build
time, so there is nothing to compare between them. In the code, ``en`` names the translation
and ``name`` its language's English name ("English", "Japanese").

Used by ``course.py check``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from llmcourse import mdtext, pages

__all__ = [
    "KINDS",
    "Declaration",
    "DeclarationError",
    "Difference",
    "compare",
    "declarations",
    "link_key",
    "undeclared",
    "validate",
]

#: The kinds of difference, in report order.
KINDS: tuple[str, ...] = ("headings", "links", "images", "tables", "code")
#: The keys a ``parity`` entry may have.
ENTRY_KEYS: tuple[str, ...] = ("check", "reason")
#: At most this many differences of one kind are listed for one page.
MAX_PER_KIND = 20


@dataclass(frozen=True)
class Difference:
    """One structural difference: its kind, the 1-based line in the translation, what differs.

    ``zh_line`` is the matching line in the Chinese source when there is one.
    """

    kind: str
    line: int
    message: str
    zh_line: int | None = None


@dataclass(frozen=True)
class Declaration:
    """A ``parity`` front-matter entry: a kind of difference declared intentional."""

    check: str
    reason: str
    index: int


@dataclass(frozen=True)
class DeclarationError:
    """A ``parity`` entry that does not follow the schema; ``index`` is its list position."""

    index: int | None
    message: str


# --------------------------------------------------------------------------------------------
# Comparison


def _body(text: str) -> tuple[str, int]:
    """The text after the front matter and the number of lines the front matter took."""
    try:
        _, body, skipped = mdtext.split_front_matter(text)
    except mdtext.FrontMatterError:
        return text, 0
    return body, skipped


def _short(text: str, limit: int = 60) -> str:
    r = repr(text)
    return r if len(r) <= limit else r[: limit - 4] + "…" + r[-3:]


def _align(
    kind: str,
    zh: Sequence[object],
    en: Sequence[object],
    zh_lines: Sequence[int],
    en_lines: Sequence[int],
    describe: str,
    en_total: int,
    name: str,
) -> list[Difference]:
    """Differences of two sequences as difflib opcodes, each located in the translation."""
    out: list[Difference] = []
    for tag, i1, i2, j1, j2 in _opcodes(list(zh), list(en)):
        if tag == "equal":
            continue
        if j1 < len(en_lines):
            line = en_lines[j1]
        else:  # past the last item: at the translation's last item (or its first line)
            line = en_lines[-1] if en_lines else 1
        zh_line = zh_lines[i1] if i1 < len(zh_lines) else None
        gone = [_show(zh[k]) for k in range(i1, i2)]
        added = [_show(en[k]) for k in range(j1, j2)]
        if tag == "delete":
            where = f" (Chinese line {zh_line})" if zh_line else ""
            msg = f"{describe} missing in {name}: {_list(gone)}{where}"
        elif tag == "insert":
            msg = f"{describe} not in the Chinese source: {_list(added)}"
        else:
            where = f" (Chinese line {zh_line})" if zh_line else ""
            msg = f"{describe} differ: {name} {_list(added)}, Chinese {_list(gone)}{where}"
        out.append(Difference(kind, min(line, en_total) if en_total else line, msg, zh_line))
    return out


def _opcodes(a: list, b: list) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes turning ``a`` into ``b``; linear when they are equal.

    Long lists use difflib's junk heuristic, which keeps the alignment fast when thousands of
    items repeat (the same badge on every line of a table).
    """
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    large = len(a) + len(b) > 4000
    return difflib.SequenceMatcher(None, a, b, autojunk=large).get_opcodes()


def _show(item: object) -> str:
    return _short(item) if isinstance(item, str) else str(item)


def _list(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _headings(
    zh: str, zfirst: int, en: str, efirst: int, en_total: int, name: str
) -> list[Difference]:
    zh_h = mdtext.headings(zh, zfirst, rendered=True)
    en_h = mdtext.headings(en, efirst, rendered=True)
    out: list[Difference] = []
    if len(zh_h) != len(en_h):
        out.append(
            Difference(
                "headings",
                en_h[0].line if en_h else 1,
                f"{len(en_h)} headings in {name}, {len(zh_h)} in the Chinese source",
            )
        )
    levels = _align(
        "headings",
        ["#" * h.level for h in zh_h],
        ["#" * h.level for h in en_h],
        [h.line for h in zh_h],
        [h.line for h in en_h],
        "heading levels",
        en_total,
        name,
    )
    return out + levels


def _links(
    zh: str, zfirst: int, en: str, efirst: int, en_total: int, images: bool, name: str
) -> list[Difference]:
    zh_l = [link for link in mdtext.links(zh, zfirst, nested=True) if link.image == images]
    en_l = [link for link in mdtext.links(en, efirst, nested=True) if link.image == images]
    kind, what = ("images", "images") if images else ("links", "link targets")
    return _align(
        kind,
        [link_key(link.target) for link in zh_l],
        [link_key(link.target) for link in en_l],
        [link.line for link in zh_l],
        [link.line for link in en_l],
        what,
        en_total,
        name,
    )


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}:")


def link_key(target: str) -> str:
    """What must match across languages: a link to another site as it is; a link inside the
    site without its ``#anchor``, since heading anchors are made from each language's headings
    (a link within the page itself is ``#``)."""
    if _SCHEME.match(target) or target.startswith("//"):
        return target
    return target.split("#", 1)[0] or "#"


def _tables(zh: str, zfirst: int, en: str, efirst: int, name: str) -> list[Difference]:
    zh_t = mdtext.tables(zh, zfirst)
    en_t = mdtext.tables(en, efirst)
    out: list[Difference] = []
    if len(zh_t) != len(en_t):
        line = en_t[len(zh_t)].line if len(en_t) > len(zh_t) else (en_t[-1].line if en_t else 1)
        out.append(
            Difference(
                "tables",
                line,
                f"{len(en_t)} tables in {name}, {len(zh_t)} in the Chinese source",
            )
        )
    for k, (z, e) in enumerate(zip(zh_t, en_t, strict=False), 1):
        if z.rows != e.rows:
            out.append(
                Difference(
                    "tables",
                    e.line,
                    f"table {k} has {e.rows} rows in {name}, {z.rows} in the Chinese source "
                    f"(Chinese line {z.line})",
                    z.line,
                )
            )
    return out


def _normal_code(block: str) -> str:
    """A code block without the indentation it shares (list nesting) and trailing spaces."""
    lines = [line.rstrip() for line in block.split("\n")]
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


def _code(zh: str, zfirst: int, en: str, efirst: int, en_total: int, name: str) -> list[Difference]:
    zh_b = mdtext.fenced_blocks(zh, zfirst)
    en_b = mdtext.fenced_blocks(en, efirst)
    zh_n = [_normal_code(b.text) for b in zh_b]
    en_n = [_normal_code(b.text) for b in en_b]
    out: list[Difference] = []
    for tag, i1, i2, j1, j2 in _opcodes(zh_n, en_n):
        if tag == "equal":
            continue
        if tag == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                zi, ej = i1 + k, j1 + k
                if zi < i2 and ej < j2:
                    line, detail = _first_code_difference(zh_n[zi], en_n[ej], name)
                    out.append(
                        Difference(
                            "code",
                            en_b[ej].line + line,
                            f"code block differs from the Chinese source's block at line "
                            f"{zh_b[zi].line}: {detail}",
                            zh_b[zi].line,
                        )
                    )
                elif zi < i2:
                    out.append(_missing_code(zh_b[zi], en_b, j2, en_total, name))
                else:
                    out.append(_extra_code(en_b[ej]))
        elif tag == "delete":
            out += [_missing_code(zh_b[k], en_b, j1, en_total, name) for k in range(i1, i2)]
        else:
            out += [_extra_code(en_b[k]) for k in range(j1, j2)]
    return out


def _missing_code(
    block: mdtext.CodeBlock, en_b: list[mdtext.CodeBlock], at: int, en_total: int, name: str
) -> Difference:
    line = en_b[at].line if at < len(en_b) else (en_b[-1].line if en_b else 1)
    return Difference(
        "code",
        min(line, en_total) if en_total else line,
        f"code block at Chinese line {block.line} is missing in {name} "
        f"({_short(block.text.splitlines()[0] if block.text else '')})",
        block.line,
    )


def _extra_code(block: mdtext.CodeBlock) -> Difference:
    return Difference("code", block.line, "code block not in the Chinese source")


def _first_code_difference(zh: str, en: str, name: str) -> tuple[int, str]:
    """(0-based line offset in the translation's block, description) of the first differing
    line."""
    zl, el = zh.split("\n"), en.split("\n")
    for k in range(max(len(zl), len(el))):
        z = zl[k] if k < len(zl) else None
        e = el[k] if k < len(el) else None
        if z != e:
            if e is None:
                return len(el) - 1, f"{name} lacks line {_short(z or '')}"
            if z is None:
                return k, f"{name} adds line {_short(e)}"
            return k, f"{name} {_short(e)}, Chinese {_short(z)}"
    return 0, "whitespace differs"


def compare(zh_text: str, en_text: str, lang: str) -> list[Difference]:
    """Every structural difference of a page's translation into ``lang`` (a locale of
    mkdocs.yml: en) from its Chinese source, in messages that name ``lang``'s language.

    Both texts are whole files (front matter included); lines are 1-based lines of the
    translation. At most :data:`MAX_PER_KIND` differences of each kind are listed.
    """
    name = pages.language(lang).name
    zh, zskip = _body(zh_text)
    en, eskip = _body(en_text)
    zfirst, efirst = zskip + 1, eskip + 1
    en_total = en_text.count("\n") + (0 if en_text.endswith("\n") else 1)
    found = {
        "headings": _headings(zh, zfirst, en, efirst, en_total, name),
        "links": _links(zh, zfirst, en, efirst, en_total, images=False, name=name),
        "images": _links(zh, zfirst, en, efirst, en_total, images=True, name=name),
        "tables": _tables(zh, zfirst, en, efirst, name),
        "code": _code(zh, zfirst, en, efirst, en_total, name),
    }
    out: list[Difference] = []
    for kind in KINDS:
        diffs = found[kind]
        if len(diffs) > MAX_PER_KIND:
            rest = len(diffs) - MAX_PER_KIND
            diffs = diffs[:MAX_PER_KIND] + [
                Difference(kind, diffs[MAX_PER_KIND].line, f"and {rest} more {kind} differences")
            ]
        out += diffs
    return out


# --------------------------------------------------------------------------------------------
# Declarations


def validate(meta: dict) -> tuple[list[Declaration], list[DeclarationError]]:
    """The ``parity`` declarations of a front matter and the entries that break the schema."""
    raw = meta.get("parity")
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], [
            DeclarationError(
                None, "front matter 'parity' must be a list of {check: …, reason: …} entries"
            )
        ]
    good: list[Declaration] = []
    errors: list[DeclarationError] = []
    for i, entry in enumerate(raw):
        where = f"parity[{i}]"
        if not isinstance(entry, dict):
            errors.append(DeclarationError(i, f"{where} must be a mapping {{check: …, reason: …}}"))
            continue
        unknown = sorted(str(k) for k in entry if k not in ENTRY_KEYS)
        if unknown:
            errors.append(DeclarationError(i, f"{where} has unknown key(s) {', '.join(unknown)}"))
        check = entry.get("check")
        if check not in KINDS:
            errors.append(
                DeclarationError(
                    i, f"{where}: check must be one of {', '.join(KINDS)}, not {check!r}"
                )
            )
            continue
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            errors.append(
                DeclarationError(i, f"{where}: declared '{check}' difference without a reason")
            )
            continue
        good.append(Declaration(check, reason.strip(), i))
    return good, errors


def declarations(meta: dict) -> list[Declaration]:
    """The valid ``parity`` declarations of a front matter (see :func:`validate`)."""
    return validate(meta)[0]


def undeclared(diffs: list[Difference], meta: dict) -> list[Difference]:
    """The differences whose kind the front matter does not declare intentional."""
    accepted = {d.check for d in declarations(meta)}
    return [d for d in diffs if d.kind not in accepted]
