"""The site under ProperDocs, the MkDocs 1.x fork kept by MkDocs' former maintainers.

MkDocs 1.6.1 has had no release since 2024; moving to ProperDocs should be one line. These
tests build and serve the course with the `properdocs` executable named by $PROPERDOCS (a venv
of requirements.lock plus requirements-properdocs.lock: the CI job "properdocs") and compare
with the `mkdocs` build: the same files, the same bytes, apart from the generator tag.
Without $PROPERDOCS they are skipped; CI's properdocs job sets it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, free_port

PROPERDOCS = os.environ.get("PROPERDOCS", "")
GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')

pytestmark = [
    pytest.mark.slow,  # builds and serves the course with ProperDocs
    pytest.mark.skipif(
        not PROPERDOCS, reason="$PROPERDOCS names no properdocs executable (CI's properdocs job)"
    ),
]


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="module")
def proper_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("properdocs-site")
    result = subprocess.run(
        [PROPERDOCS, "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def _files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def test_properdocs_built_it(proper_site: Path) -> None:
    """The generator tag names ProperDocs: the build did not fall back to MkDocs."""
    tags = set(GENERATOR.findall((proper_site / "index.html").read_text(encoding="utf-8")))
    assert len(tags) == 1
    assert "ProperDocs" in tags.pop()


def test_same_site_apart_from_the_generator_tag(site: Path, proper_site: Path) -> None:
    assert _files(proper_site) == _files(site)
    differ = []
    for name in sorted(_files(site)):
        ours, theirs = (s / name for s in (site, proper_site))
        if name.endswith(".html"):
            same = GENERATOR.sub("", ours.read_text("utf-8")) == GENERATOR.sub(
                "", theirs.read_text("utf-8")
            )
        elif name.endswith(".json"):  # Pagefind writes its languages in no fixed order
            same = json.loads(ours.read_bytes()) == json.loads(theirs.read_bytes())
        else:
            same = ours.read_bytes() == theirs.read_bytes()
        if not same:
            differ.append(name)
    assert differ == []


def test_properdocs_serves_the_built_page(proper_site: Path) -> None:
    """`properdocs serve` answers with the chapter the build wrote (its article)."""
    port = free_port()
    proc = subprocess.Popen(
        [PROPERDOCS, "serve", "-a", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/engineer/vector-storage/"
    try:
        deadline, served = time.monotonic() + 300, None
        while served is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    served = resp.read().decode("utf-8")
            except OSError:
                time.sleep(0.5)
        assert served is not None, f"properdocs serve never answered {url}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    built = (proper_site / "engineer" / "vector-storage" / "index.html").read_text("utf-8")
    article = [
        str(BeautifulSoup(html, "html.parser").select_one("article")) for html in (served, built)
    ]
    assert article[0] == article[1]
