"""The site's Content-Security-Policy: own origin only, inline scripts by hash, no page script.

An inline script is allowed only when it is one the theme's templates write: each ``<script>``
of the template files (Material's and ``overrides/``) becomes a pattern whose Jinja holes
match a plain value (a path, a word), never code. A script that reached a page any other way
(page content, a title, a notebook) matches none and gets no hash, so browsers refuse it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path

#: An executable script as a template writes it: no attributes, so no src and no data type.
TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
#: What a Jinja hole inside a template's script may be filled with: a path or a word.
HOLE = r"[\w./#:+-]*"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
#: Script elements that hold data, which browsers never run.
DATA_TYPES = ("application/json", "application/ld+json")
HEAD = re.compile(r"<head\b[^>]*>", re.I)
META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')

#: Sources of script-src besides the inline-script hashes: our own files, and WebAssembly
#: compiled from them (Pagefind's search runs in WebAssembly; 'wasm-unsafe-eval' allows no eval).
SCRIPT_SOURCES = "'self' 'wasm-unsafe-eval'"
#: Every directive but script-src. Style attributes stay allowed: Material and notebooks set
#: them, and the sanitizer keeps only harmless properties in page content.
DIRECTIVES = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",  # Material's icons are data: SVGs in its CSS
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def inline_script_hashes(html: str, trusted: list[re.Pattern]) -> list[str]:
    """'sha256-…' sources of the inline scripts in ``html`` that the templates wrote."""
    return sorted(
        {
            f"'sha256-{digest(body)}'"
            for attrs, body in INLINE_SCRIPT.findall(html)
            if not any(t in attrs for t in DATA_TYPES)
            and any(pattern.fullmatch(body) for pattern in trusted)
        }
    )


@functools.cache
def template_scripts(dirs: tuple[str, ...]) -> list[re.Pattern]:
    """The inline scripts of the theme's templates as patterns (their Jinja holes as values)."""
    patterns: dict[str, re.Pattern] = {}
    for folder in dirs:
        for path in sorted(Path(folder).rglob("*.html")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for body in TEMPLATE_SCRIPT.findall(text):
                parts = JINJA.split(body)
                source = HOLE.join(re.escape(part) for part in parts)
                patterns.setdefault(source, re.compile(source, re.S))
    return list(patterns.values())


def policy(hashes: list[str]) -> str:
    """The policy text for a page whose trusted inline scripts have these hashes."""
    return "; ".join(
        [DIRECTIVES[0], f"script-src {SCRIPT_SOURCES} {' '.join(hashes)}".rstrip(), *DIRECTIVES[1:]]
    )


def with_policy(html: str, hashes: list[str]) -> str:
    """The page with its policy as the first element of <head>, before anything it governs."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'
    html, found = HEAD.subn(lambda m: m.group(0) + "\n    " + meta, html, count=1)
    if not found:
        raise ValueError("no <head> to put the Content-Security-Policy in")
    return html


def allow_injected(original: bytes, served: bytes) -> bytes:
    """A served page with the inline scripts the server added to ``original`` allowed."""
    before = {body for _, body in INLINE_SCRIPT.findall(original.decode("utf-8"))}
    text = served.decode("utf-8")
    added = [body for _, body in INLINE_SCRIPT.findall(text) if body not in before]
    if not added:
        return served
    extra = " ".join(f"'sha256-{digest(body)}'" for body in added)
    return META.sub(
        lambda m: m.group(0).replace(
            f"script-src {SCRIPT_SOURCES}", f"script-src {SCRIPT_SOURCES} {extra}", 1
        ),
        text,
        count=1,
    ).encode("utf-8")


def digest(body: str) -> str:
    """Base64 SHA-256 of a script body, as CSP hash sources want it."""
    return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
