"""Versioned publishing with mike: every language inside the version folder, no escapes."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import DEPLOY_URL

pytestmark = pytest.mark.slow  # mike deployment


def test_version_folders(deployed: Path) -> None:
    for path in [
        "0.1/index.html",
        "0.1/zh-CN/index.html",
        "0.1/en/index.html",
        "0.2/en/index.html",
        "latest/index.html",
        "versions.json",
        "index.html",
    ]:
        assert (deployed / path).exists(), path
    versions = {v["version"]: v for v in json.loads((deployed / "versions.json").read_text())}
    assert set(versions) == {"0.1", "0.2"}
    assert versions["0.2"]["aliases"] == ["latest"]
    assert "latest" in (deployed / "index.html").read_text()  # the default redirects there


def test_no_switcher_link_leaves_the_version(deployed: Path) -> None:
    """The switcher's links are relative and the head's hreflang alternates absolute under the
    version's site_url; both name the same page of this version, which exists."""
    pages = sorted((deployed / "0.1").rglob("index.html"))
    assert len(pages) > 30
    for page in pages:
        url = "/" + page.relative_to(deployed).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [a["href"] for a in soup.select("a.md-select__link[hreflang]")]
        heads = [link["href"] for link in soup.select('link[rel="alternate"][hreflang]')]
        assert len(links) == len(heads) == 3, url
        for href in heads:
            assert href.startswith(DEPLOY_URL + "0.1/"), (url, href)
        links += ["/" + href.removeprefix(DEPLOY_URL) for href in heads]
        for href in links:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(url), href))
            assert target.startswith("/0.1"), (url, href, target)
            resolved = deployed / target.lstrip("/")
            if resolved.is_dir():
                resolved = resolved / "index.html"
            assert resolved.exists(), (url, href)
