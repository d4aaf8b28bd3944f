"""What the build refuses before it renders: `check` and `mkdocs build --strict` give the same
file:line:col, fast, for links out of docs/, active files, oversize or undecodable pages."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from conftest import ROOT, build_site, site_config
from llmcourse import bench, check

pytestmark = pytest.mark.slow  # builds large sites


def _symlink(target: str):
    def make(docs: Path) -> None:
        os.symlink(target, docs / "linked.md")

    return make


def _write(name: str, data: bytes):
    def make(docs: Path) -> None:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_bytes(data)

    return make


def _pathological(name: str):
    return _write("big.md", bench.pathological_pages()[name].encode("utf-8"))


#: scenario -> (how to make it in docs/, the exact problem both must report, after "docs/")
CASES = {
    "symlink-to-etc-passwd": (
        _symlink("/etc/passwd"),
        "linked.md:1:1: symbolic link to /etc/passwd: nothing from outside docs/ is published",
    ),
    "symlink-to-git-config": (
        _symlink("../.git/config"),
        "linked.md:1:1: symbolic link to ../.git/config: nothing from outside docs/",
    ),
    "html-file": (
        _write("evil.html", b"<script>alert(1)</script>"),
        "evil.html:1:1: .html files are not published from docs/",
    ),
    "javascript-file": (
        _write("evil.js", b"alert(1)"),
        "evil.js:1:1: .js files are not published from docs/",
    ),
    "svg-with-script": (
        _write(
            "img.svg", b'<svg xmlns="http://www.w3.org/2000/svg">\n  <script>x()</script>\n</svg>'
        ),
        "img.svg:2:3: SVG: <script> element",
    ),
    "svg-with-xhtml-namespaced-script": (
        _write(
            "img.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg">\n'
            b'  <h:script xmlns:h="http://www.w3.org/1999/xhtml">x()</h:script>\n</svg>',
        ),
        "img.svg:2:3: SVG: <script> element",
    ),
    "page-in-the-themes-assets": (
        _write("assets/reader/search.js/index.md", "# 章\n".encode()),
        "assets:1:1: 'assets' is a folder the site makes itself",
    ),
    "page-in-a-language-folder": (
        _write("en/index.md", b"# Home\n"),
        "en:1:1: 'en' is a folder the site makes itself",
    ),
    "utf-16-page": (
        _write("wide.md", "# 標題\n".encode("utf-16")),
        "wide.md:1:1: UTF-16 text (byte order mark): not UTF-8",
    ),
    "binary-page": (
        _write("blob.md", b"# x\n\x00\x01\x02"),
        "blob.md:2:1: binary data (NUL byte): not a UTF-8 text file",
    ),
    "invalid-front-matter": (
        _write("yaml.md", "---\ntitle: [一\n---\n\n# 標題\n".encode()),
        "yaml.md:3:1: front matter:",
    ),
    "markup-in-folder-name": (
        _write("x<img src=x onerror=alert(1)>/a.md", "# 章\n".encode()),
        "x<img src=x onerror=alert(1)>:1:1: file name 'x<img src=x onerror=alert(1)>' has "
        "characters that are markup",
    ),
    "text-file-a-page-could-load-as-script": (
        _write("payload.txt", b"window.pwned = 1"),
        "payload.txt:1:1: .txt files are not published from docs/",
    ),
    "yaml-set-title": (
        _write("set.md", b'---\ntitle: !!set {"</title><script>x()</script>": null}\n---\n'),
        "set.md:2:8: front matter uses a YAML tag: write plain values",
    ),
    "mapping-title": (
        _write("map.md", b'---\ntitle: {"</title><script>x()</script>": 1}\n---\n'),
        "map.md:2:1: front matter title must be text, not dict",
    ),
    "yaml-alias-bomb": (
        _write(
            "bomb.md",
            b"---\nsearch:\n  a: &a [x, x, x, x, x, x, x, x, x]\n"
            b"  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n---\n# b\n",
        ),
        "bomb.md:3:6: front matter uses a YAML anchor: write plain values",
    ),
    "status-with-a-class": (
        _write("status.md", b'---\nstatus: "new md-consent__overlay"\n---\n# s\n'),
        "status.md:2:1: front matter status 'new md-consent__overlay' is not one word",
    ),
    "status-in-front-matter-without-dashes": (
        _write("mm.md", b"title: MM\nstatus: new md-consent__overlay\n\n# MM\n"),
        "mm.md:2:1: front matter: status 'new md-consent__overlay' is not one word",
    ),
    "hide-not-a-list": (
        _write("hide.md", b"---\nhide: 5\n---\n# h\n"),
        "hide.md:2:1: front matter hide 5 is not a list of names",
    ),
    "unknown-icon": (
        _write("icon.md", b"---\nicon: nope/nothing\n---\n# i\n"),
        "icon.md:2:1: front matter icon 'nope/nothing' is not one of the theme's icons",
    ),
    "bad-conversion-table": (
        _write("conv.md", "---\nconversion: {a: b}\n---\n# 轉換\n".encode()),
        "conv.md:2:1: conversion rule",
    ),
    "conversion-table-value-too-long": (
        _write(
            "conv.md",
            ("---\nconversion:\n  - {zh-TW: 甲, zh-CN: " + "乙" * 3000 + "}\n---\n# 甲\n").encode(),
        ),
        "conv.md:3:16: conversion rule",
    ),
    "conversion-table-markup": (
        _write(
            "conv.md",
            '---\nconversion:\n  - {zh-TW: 列, zh-CN: "<b>行</b>"}\n---\n# 一列\n'.encode(),
        ),
        "conv.md:3:16: conversion rule",
    ),
    "notebook-table-markup": (
        _write(
            "nb.ipynb",
            b'{"cells": [], "metadata": {"llmcourse": {"conversion": '
            b'[{"zh-TW": "a", "zh-CN": "[b](https://example.com)"}]}}, "nbformat": 4, '
            b'"nbformat_minor": 5}',
        ),
        "nb.ipynb:1:28: notebook metadata key 'llmcourse.conversion[0]'.zh-CN: '[b](https://",
    ),
    "notebook-attachment-not-base64": (
        _write(
            "nb.ipynb",
            b'{"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": '
            b'["![x](attachment:x.png)"], "attachments": {"x.png": {"image/png": "not base64!"}}}],'
            b' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        ),
        "nb.ipynb:1:1: mkdocs-jupyter could not render the notebook (Error: ",
    ),
    "5-mb-page": (_pathological("5 MB page"), "big.md:1:1: 4,998,792 bytes: larger than"),
    "1-mb-line": (_pathological("1 MB line"), "big.md:3:10001: line of 999,950 characters"),
    "70k-code-spans": (_pathological("70k code spans"), "big.md:503:1: more than 5,000 code"),
    "10k-list-markers": (_pathological("10k nested list items"), "big.md:3:10001: line of"),
    "deep-quotes": (_pathological("deep quotes"), "big.md:3:1: block quote nested more than"),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首頁\n\n內容。\n", encoding="utf-8")
    site_config(tmp_path)
    return tmp_path


@pytest.mark.parametrize("scenario", CASES)
def test_check_and_build_refuse_with_the_same_place(
    scenario: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, expected = CASES[scenario]
    make(project / "docs")
    monkeypatch.chdir(project)
    out = io.StringIO()
    status = check.command(["docs"], stdout=out, stderr=io.StringIO())
    assert status == 1
    assert any(line.startswith(f"docs/{expected}") for line in out.getvalue().splitlines()), (
        out.getvalue()[-2000:]
    )
    result = build_site(project, project / "site")
    assert result.returncode == 1
    assert f"docs/{expected}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_course_is_within_every_limit() -> None:
    out = io.StringIO()
    assert check.command([str(ROOT / "docs")], stdout=out, stderr=io.StringIO()) == 0


def test_a_large_page_within_the_limits_builds_whole(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """700 KB with 70,000 unclosed `-{` (once quadratic in the rule scanner): check passes,
    the strict build succeeds, and the generated zh-CN page keeps every one of them."""
    text = bench.pathological_pages()["70k unclosed rules"]
    (project / "docs" / "index.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)
    out = io.StringIO()
    assert check.command(["docs"], stdout=out, stderr=io.StringIO()) == 0, out.getvalue()
    result = build_site(project, project / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    html = (project / "site" / "zh-CN" / "index.html").read_text(encoding="utf-8")
    assert html.count("-{API} 数据") == 70_000  # 資料 is 数据 in mainland usage
    assert [c for c in html if 0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000] == []
