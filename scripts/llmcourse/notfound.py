"""Pages for missing URLs: the 404 page of each language, and the site root's on gh-pages.

Inside a build, hooks/not_found.py renders overrides/404.html once per language with the
text of locales/<lang>.yml `not_found`. A static host such as GitHub Pages serves only the
404.html at the root of the published branch, outside every mike version: `course.py
root-404` (the deploy workflow) commits one there, from overrides/root-404.html and
root-404.js. With its own strict policy it runs only that same-origin script, which sends
the reader to the same page in the default version when its sitemap lists that page, and
otherwise to the default version's 404 page in the language of the URL or the browser.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import jinja2

from llmcourse import ROOT, csp, locales, pages

PAGE = "404.html"
TEMPLATES = ROOT / "overrides"
ROOT_TEMPLATE = "root-404.html"
ROOT_SCRIPT = Path(__file__).with_name("root-404.js")
#: What the root page's script is published as, beside 404.html.
SCRIPT_NAME = "404.js"
#: mike's redirect page at the branch root (`mike set-default`) names the default version.
REDIRECT = re.compile(r"""url=([^"'\s>]+)""")


def text(lang: str) -> dict[str, str]:
    """The 404 texts of a language (locales/<lang>.yml `not_found`)."""
    return dict(locales.text(lang, "not_found"))


def home(site_url: str, lang: str) -> str:
    """The absolute path of a language's home page under site_url (a mike version's too)."""
    return f"{urlsplit(site_url).path.rstrip('/')}/{pages.prefix(lang)}"


# --------------------------------------------------------------------------- site root


def default_version(index_html: str | None, versions: list[dict]) -> str:
    """The version the branch root redirects to, or mike's newest one when it has none."""
    if not versions:
        raise ValueError("versions.json lists no version: deploy one with mike first")
    names = {name for v in versions for name in [v["version"], *v.get("aliases", [])]}
    found = REDIRECT.search(index_html or "")
    if found and found.group(1).strip("/") in names:
        return found.group(1).strip("/")
    return versions[0]["version"]


def render_root(site_url: str, version: str) -> str:
    """The root 404.html for a site published at site_url whose default version is given."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
    )
    env.filters["sha256"] = csp.digest
    root = urlsplit(site_url).path.rstrip("/") + "/"
    langs = pages.LANGS
    return env.get_template(ROOT_TEMPLATE).render(
        root=root,
        version=version,
        pages=[{"lang": lang, "prefix": pages.prefix(lang), **text(lang)} for lang in langs],
        default_lang=pages.DEFAULT,
        prefixes={lang: pages.prefix(lang) for lang in langs},
        browser_tags=browser_tags(langs),
        browser_fallback=(pages.TRANSLATIONS or langs)[0],
        script=root + SCRIPT_NAME,
    )


def browser_tags(langs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(browser language tag, site language) for root-404.js, the most specific tag first: each
    language's ``browser_languages`` (locales/<lang>.yml), or its own locale. A reader whose
    browser asks for none of them gets the first translation (en), not a Chinese script."""
    tags = []
    for lang in langs:
        listed = locales.load(lang).get("browser_languages", [lang.lower()])
        if not isinstance(listed, list) or not all(isinstance(t, str) and t for t in listed):
            raise ValueError(f"locales/{lang}.yml: browser_languages must be a list of tags")
        tags += [(tag.lower(), lang) for tag in listed]
    return sorted(tags, key=lambda item: -len(item[0]))


def publish(repo: Path, branch: str, site_url: str) -> str | None:
    """Commit the root 404.html and its script to ``branch`` of ``repo`` if they changed.

    Works on the branch itself (as mike does), not on a checkout: the commit id, or None
    when the branch already has these files.
    """
    old = _git(repo, "rev-parse", f"refs/heads/{branch}")
    versions = json.loads(_show(repo, old, "versions.json") or "[]")
    version = default_version(_show(repo, old, "index.html"), versions)
    files = {
        PAGE: render_root(site_url, version),
        SCRIPT_NAME: ROOT_SCRIPT.read_text(encoding="utf-8"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(repo, "read-tree", old, env=index)
        for name, content in files.items():
            blob = _git(repo, "hash-object", "-w", "--stdin", stdin=content)
            _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=index)
        tree = _git(repo, "write-tree", env=index)
    if tree == _git(repo, "rev-parse", f"{old}^{{tree}}"):
        return None
    message = f"Root 404 page: missing URLs go to version {version} or its 404 page"
    commit = _git(repo, "commit-tree", tree, "-p", old, "-m", message)
    _git(repo, "update-ref", f"refs/heads/{branch}", commit, old)
    return commit


def command(*, repo: Path, branch: str, site_url: str | None, stdout: TextIO = sys.stdout) -> int:
    """`course.py root-404`: keep the branch root's 404 page current."""
    if site_url is None:
        site_url = configured_site_url()
    try:
        commit = publish(repo, branch, site_url)
    except (ValueError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        print(f"root-404: {branch}: {detail.strip()}", file=sys.stderr)
        return 1
    print(
        f"{branch}: {'committed ' + commit[:12] if commit else 'root 404 page unchanged'}",
        file=stdout,
    )
    return 0


def configured_site_url() -> str:
    """site_url as mkdocs.yml sets it (SITE_URL in the environment, as the build reads it)."""
    from mkdocs.utils.yaml import yaml_load

    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        return yaml_load(f)["site_url"]


def _show(repo: Path, rev: str, path: str) -> str | None:
    result = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True, text=True
    )
    return result.stdout if result.returncode == 0 else None


def _git(repo: Path, *args: str, env: dict | None = None, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
