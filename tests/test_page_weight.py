"""What keeps pages light and stable: their weight, image sizes, pruned navigation, absolute
hreflang."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest
import tinycss2
from bs4 import BeautifulSoup

from conftest import LANG_PREFIX
from llmcourse import ROOT, bench, image_size, pages, theme_assets

pytestmark = pytest.mark.slow  # the built course site


def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


SIZES = {
    "png": (_png(640, 480), (640, 480)),
    "gif": (b"GIF89a" + struct.pack("<HH", 33, 7) + b"\x00" * 8, (33, 7)),
    "jpeg": (_jpeg(1024, 768), (1024, 768)),
    "webp-lossy": (
        b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 10 + struct.pack("<HH", 300, 200),
        (300, 200),
    ),
    "webp-extended": (
        b"RIFF\x00\x00\x00\x00WEBPVP8X"
        + b"\x00" * 8
        + (399).to_bytes(3, "little")
        + (99).to_bytes(3, "little"),
        (400, 100),
    ),
    "svg-px": (b'<?xml version="1.0"?>\n<svg width="117px" height="20" xmlns="x"/>', (117, 20)),
    "svg-viewbox": (b"<svg xmlns='x' viewBox='0 0 48.4 24'></svg>", (48, 24)),
    "svg-percent": (b'<svg width="100%" height="100%"></svg>', None),
    "not-an-image": (b"hello", None),
}


@pytest.mark.parametrize("name", list(SIZES))
def test_intrinsic_size(name: str) -> None:
    data, expected = SIZES[name]
    assert image_size.size_of(data) == expected


def test_sizes_added_only_where_missing_and_known(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(_png(10, 20))
    (tmp_path / "b.svg").write_bytes(b"<svg>no size</svg>")
    files = {"img/a.png": tmp_path / "a.png", "img/b.svg": tmp_path / "b.svg"}
    png = base64.b64encode(_png(3, 4)).decode()
    html = (
        '<p><img alt="x>y" src="../img/a.png"></p>'
        '<img src="../img/a.png" width="5">'
        '<img src="../img/b.svg">'
        '<img src="https://example.com/a.png">'
        f'<img src="data:image/png;base64,{png}"/>'
    )
    out = image_size.add_sizes(html, image_size.site_reader("fundamentals/", files.get))
    assert out == (
        '<p><img width="10" height="20" alt="x>y" src="../img/a.png"></p>'
        '<img src="../img/a.png" width="5">'
        '<img src="../img/b.svg">'
        '<img src="https://example.com/a.png">'
        f'<img width="3" height="4" src="data:image/png;base64,{png}"/>'
    )


def _page(site: Path, lang: str, path: str) -> BeautifulSoup:
    return BeautifulSoup(
        (site / LANG_PREFIX[lang] / path / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_colab_badges_have_their_size(site: Path, lang: str) -> None:
    badges = [i for i in _page(site, lang, "").select("article img") if "colab" in i["src"]]
    assert len(badges) == 16
    assert {(i.get("width"), i.get("height")) for i in badges} == {("117", "20")}


@pytest.mark.parametrize("lang", list(LANG_PREFIX))
def test_hreflang_alternates_absolute(site: Path, lang: str) -> None:
    """From mkdocs.yml's default site_url (no SITE_URL in the test environment)."""
    page = _page(site, lang, "engineer/vector-storage")
    heads = {x["hreflang"]: x["href"] for x in page.select('link[rel="alternate"][hreflang]')}
    assert heads == {
        other: f"http://127.0.0.1:8000/{prefix}engineer/vector-storage/"
        for other, prefix in LANG_PREFIX.items()
    }
    switcher = {a["hreflang"]: a["href"] for a in page.select("a.md-select__link[hreflang]")}
    assert switcher[lang] == "./"


def test_navigation_carries_only_the_pages_track(site: Path) -> None:
    """A chapter's sidebar lists its own track's chapters and one link per other track."""
    nav = _page(site, "zh-TW", "engineer/vector-storage").select_one("nav.md-nav--primary")
    hrefs = {a["href"] for a in nav.select("a.md-nav__link")}
    assert "../advanced-rag/" in hrefs  # a sibling chapter
    assert "../../scientist/" in hrefs  # another track: its overview only
    assert not any(h.startswith("../../scientist/") and h != "../../scientist/" for h in hrefs)
    pruned = nav.select("li.md-nav__item--pruned")
    assert len(pruned) == 5  # fundamentals, scientist, notes, notebooks, about


def test_chapter_page_within_its_budget(site: Path) -> None:
    """Issue 12: a chapter page (bench.yml's) opens with at most 75 KB (bench.yml's budget) of
    HTML, CSS and JS with gzip, counted as `course.py bench` counts them; the search index and
    the script that runs search load only when the reader opens it."""
    key = bench.MEASURED["chapter"]
    weights = bench.page_bytes(site, pages.url(key, pages.DEFAULT).strip("/"))
    assert bench.MEASURED["budget"]["chapter"] == 75_000
    assert sum(gz for _, _, gz in weights.values()) <= 75_000, weights


def _leaves(tokens: list) -> list[str]:
    """A stylesheet's tokens, blocks and functions opened, without white space and comments."""
    out: list[str] = []
    for token in tokens:
        if token.type in ("whitespace", "comment"):
            continue
        if token.type == "function":
            out += [f"{token.name}(", *_leaves(token.arguments), ")"]
        elif token.type.endswith(" block"):
            out += [token.type, *_leaves(token.content), "end"]
        else:
            out.append(token.serialize())
    return out


def test_theme_stylesheets_are_served_minified(site: Path) -> None:
    """overrides/assets/reader/*.css reach the reader without their comments and indentation,
    token for token the same stylesheet."""
    sources = sorted(ROOT.joinpath("overrides").glob(theme_assets.STYLESHEETS))
    assert sources
    for source in sources:
        css = source.read_text(encoding="utf-8")
        served = (site / source.relative_to(ROOT / "overrides")).read_text(encoding="utf-8")
        assert served == theme_assets.minified_css(css)
        assert "/*" not in served and "\n" not in served
        assert len(served) < 0.75 * len(css)
        parse = tinycss2.parse_component_value_list
        assert _leaves(parse(served)) == _leaves(parse(css))
