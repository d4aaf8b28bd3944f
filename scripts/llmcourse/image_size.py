"""Intrinsic width and height for the page's own images, so the browser reserves their space.

An `<img>` without `width`/`height` takes no room until its file arrives, and the text below
it jumps (layout shift). Authors write `![Open In Colab](img/colab.svg)` and should not have
to know that: :func:`add_sizes` gives every `<img>` whose `src` is a file of the site (or a
`data:` image) the size read from the file's header. Images that already carry a `width` or
`height`, remote ones (which the policy blocks anyway) and files of unknown or broken format
are left as they are.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

#: Enough of any file to find its size: PNG, GIF, WebP headers are in the first 30 bytes;
#: JPEG's frame header follows its metadata segments, SVG's root element its prologue.
HEAD = 64 * 1024
SVG_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")
SVG_ROOT = re.compile(r"<svg\b([^>]*)>", re.S)
SVG_ATTR = re.compile(r"""([A-Za-z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def size_of(data: bytes) -> tuple[int, int] | None:
    """(width, height) in CSS pixels from the start of an image file, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    return _svg(data)


def add_sizes(html: str, read: Callable[[str], bytes | None]) -> str:
    """`html` with width/height on each `<img>` that lacks both and whose size is known.

    ``read(src)`` returns the start of the file an `src` names, or None when it is not a
    file of the site. The attributes go right after ``<img``, whatever follows.
    """
    if "<img" not in html:
        return html
    finder = _Images()
    finder.feed(html)
    finder.close()
    out, last = [], 0
    for offset, attrs in finder.images:
        if "width" in attrs or "height" in attrs or not attrs.get("src"):
            continue
        data = _data_uri(attrs["src"]) if attrs["src"].startswith("data:") else read(attrs["src"])
        size = size_of(data) if data else None
        if not size or not all(0 < n < 100_000 for n in size):
            continue
        cut = offset + len("<img")
        out += [html[last:cut], f' width="{size[0]}" height="{size[1]}"']
        last = cut
    return "".join(out) + html[last:] if out else html


class _Images(HTMLParser):
    """Offsets and attributes of every `<img>` start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[int, dict[str, str]]] = []
        self._lines: list[int] = []

    def feed(self, data: str) -> None:
        starts, pos = [0], data.find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = data.find("\n", pos + 1)
        self._lines = starts
        super().feed(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            line, col = self.getpos()
            self.images.append((self._lines[line - 1] + col, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _data_uri(src: str) -> bytes | None:
    head, _, payload = src.partition(",")
    if not head.endswith(";base64"):
        return None
    try:  # only the start: enough for a header, whatever the image's size
        return base64.b64decode(payload[: HEAD // 3 * 4], validate=False)
    except (binascii.Error, ValueError):
        return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a frame header
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _svg(data: bytes) -> tuple[int, int] | None:
    """An SVG's width/height in px, else its viewBox's; None for other units or no root."""
    root = SVG_ROOT.search(data[:HEAD].decode("utf-8", errors="replace"))
    if not root:
        return None
    attrs = {m.group(1): m.group(2) or m.group(3) or "" for m in SVG_ATTR.finditer(root.group(1))}
    width, height = (SVG_LENGTH.match(attrs.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    try:
        w, h = (float(n) for n in box[2:4])
    except ValueError:
        return None
    return (round(w), round(h)) if len(box) == 4 else None


def site_reader(page_url: str, files_by_url: Callable[[str], Path | None]) -> Callable:
    """A ``read(src)`` for :func:`add_sizes`: `src` relative to the page at `page_url`
    (site-relative, as MkDocs writes page URLs), the file found by ``files_by_url``."""
    import posixpath
    from urllib.parse import unquote, urlsplit

    base = posixpath.dirname("/" + page_url) if not page_url.endswith("/") else "/" + page_url

    def read(src: str) -> bytes | None:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path))).lstrip("/")
        path = files_by_url(target)
        if path is None:
            return None
        with path.open("rb") as f:
            return f.read(HEAD)

    return read
