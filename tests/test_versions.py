"""Versioned publishing with mike: every language inside the version folder, no escapes."""

from __future__ import annotations

import io
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

PROJECT_PARTS = ["mkdocs.yml", "docs", "hooks", "locales", "overrides", "scripts"]


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throw-away repository where `mike deploy` published version 0.1 as latest."""
    repo = tmp_path_factory.mktemp("mike-repo")
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, repo / part)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "site")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "scripts"),
        # mike runs `mkdocs` from PATH: the one beside this interpreter
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    for cmd in (["deploy", "--update-aliases", "0.1", "latest"], ["set-default", "latest"]):
        result = subprocess.run(
            [str(Path(sys.executable).parent / "mike"), *cmd],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-4000:]
    out = tmp_path_factory.mktemp("gh-pages")
    archive = subprocess.run(
        ["git", "archive", "gh-pages"], cwd=repo, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    return out


def test_version_folders(deployed: Path) -> None:
    for path in [
        "0.1/index.html",
        "0.1/zh-CN/index.html",
        "0.1/en/index.html",
        "versions.json",
        "index.html",
    ]:
        assert (deployed / path).exists(), path
    versions = json.loads((deployed / "versions.json").read_text())
    assert versions[0]["version"] == "0.1"
    assert "latest" in versions[0]["aliases"]


def test_no_switcher_link_leaves_the_version(deployed: Path) -> None:
    pages = sorted((deployed / "0.1").rglob("index.html"))
    assert len(pages) > 30
    for page in pages:
        url = "/" + page.relative_to(deployed).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [a["href"] for a in soup.select("a.md-select__link[hreflang]")]
        links += [link["href"] for link in soup.select('link[rel="alternate"][hreflang]')]
        assert links, url
        for href in links:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(url), href))
            assert target.startswith("/0.1"), (url, href, target)
            resolved = deployed / target.lstrip("/")
            if resolved.is_dir():
                resolved = resolved / "index.html"
            assert resolved.exists(), (url, href)
