"""Notebook pages link to Colab only once the repository is known: local builds keep the
OWNER/REPO placeholder of mkdocs.yml (or an empty NOTEBOOKS_GITHUB), and a link to a made-up
repository would be a dead end for the reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site, site_config

pytestmark = pytest.mark.slow  # builds fixture sites

NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# 筆記本\n"]}],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.mark.parametrize(
    "github,colab",
    [
        (None, None),  # mkdocs.yml's placeholder
        ("", None),
        ("OWNER/REPO", None),
        (
            "example/course",
            "https://colab.research.google.com/github/example/course/blob/trunk/docs/nb.ipynb",
        ),
    ],
)
def test_colab_link_only_for_a_known_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github: str | None, colab: str | None
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首頁\n\n內容。\n", encoding="utf-8")
    for name in ("nb.ipynb", "nb2.ipynb", "nb2.en.ipynb"):  # nb2 has an English translation
        (docs / name).write_text(json.dumps(NOTEBOOK, ensure_ascii=False), encoding="utf-8")
    shutil.copytree(ROOT / "docs" / "img", docs / "img")
    monkeypatch.delenv("NOTEBOOKS_GITHUB", raising=False)
    if github is not None:
        monkeypatch.setenv("NOTEBOOKS_GITHUB", github)
    monkeypatch.setenv("NOTEBOOKS_BRANCH", "trunk")
    # the build reads mkdocs.yml's !ENV values from the environment it inherits
    site_config(tmp_path)
    result = build_site(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    # (an English page without its own .en.ipynb is not built: no fallback for notebooks)
    for prefix, name in [
        ("", "nb"),
        ("zh-CN/", "nb"),
        ("", "nb2"),
        ("zh-CN/", "nb2"),
        ("en/", "nb2"),
    ]:
        html = (tmp_path / "site" / prefix / name / "index.html").read_text("utf-8")
        page = BeautifulSoup(html, "html.parser")
        # the source each language's page is made from: the English one for en/nb2
        source = "nb2.en.ipynb" if (prefix, name) == ("en/", "nb2") else f"{name}.ipynb"
        downloads = [a["href"] for a in page.select("a.reader-notebook-download")]
        assert len(downloads) == 1, (prefix, name)
        links = [a["href"] for a in page.select("a.reader-notebook-colab")]
        expected = [colab.replace("nb.ipynb", source)] if colab else []
        assert links == expected, (prefix, name)
