"""The thinnest hooks at the event level: the project's mkdocs.yml loaded in memory (no build),
one event function called on a Page or Files made for the test, as mkdocs-static-i18n's own
tests do. What a whole build shows is tested on built sites (test_site, test_versions...)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from mike.mkdocs_utils import docs_version_var
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from conftest import ROOT

SITE_URL = "https://example.org/llm/0.1"


def config(tmp_path: Path, **overrides: object) -> MkDocsConfig:
    """The project's configuration, as the build loads it, with `overrides` applied."""
    overrides.setdefault("site_dir", str(tmp_path / "site"))
    cfg = load_config(config_file=str(ROOT / "mkdocs.yml"), **overrides)
    cfg.plugins["i18n"].on_config(cfg)  # what mkdocs-static-i18n sets up for each language
    return cfg


def hook(cfg: MkDocsConfig, name: str) -> ModuleType:
    return cfg["hooks"][f"hooks/{name}.py"]


def page(cfg: MkDocsConfig, src_uri: str, dest_uri: str) -> Page:
    """The page built from `src_uri` at `dest_uri` (as the language build names it)."""
    file = File(src_uri, cfg.docs_dir, cfg.site_dir, cfg.use_directory_urls, dest_uri=dest_uri)
    return Page(None, file, cfg)


# --------------------------------------------------------------------------- versions.py


def test_version_selector_only_in_builds_mike_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(docs_version_var, raising=False)
    cfg = config(tmp_path)
    hook(cfg, "versions").on_config(cfg)
    assert "version" not in cfg.extra

    monkeypatch.setenv(docs_version_var, "0.1")
    cfg = config(tmp_path)
    hook(cfg, "versions").on_config(cfg)
    assert cfg.extra["version"] == {"provider": "mike", "alias": True}


# --------------------------------------------------------------------------- sitemap.py


def test_sitemap_lists_the_languages_pages_as_built(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    i18n = cfg.plugins["i18n"]
    i18n.current_language = "zh-CN"
    md = File("intro.md", cfg.docs_dir, cfg.site_dir, True, dest_uri="zh-CN/intro/index.html")
    css = File("reader.css", cfg.docs_dir, cfg.site_dir, True, dest_uri="zh-CN/reader.css")
    files = Files([md, css])
    assert hook(cfg, "sitemap").on_files(files, config=cfg) is files
    assert i18n.i18n_files_per_language["zh-CN"] == [md]


# --------------------------------------------------------------------------- alternates.py


@pytest.mark.parametrize(
    ("lang", "url", "paths"),
    [
        ("zh-CN", "zh-CN/intro/", ["intro/", "zh-CN/intro/", "en/intro/"]),
        ("zh-TW", "", ["./", "zh-CN/", "en/"]),
        (
            "en",
            "en/notebooks/decoding/",
            ["notebooks/decoding/", "zh-CN/notebooks/decoding/", "en/notebooks/decoding/"],
        ),
    ],
)
def test_language_links_name_this_page_in_each_language(
    tmp_path: Path, lang: str, url: str, paths: list[str]
) -> None:
    cfg = config(tmp_path, site_url=SITE_URL)
    cfg.plugins["i18n"].current_language = lang
    # mkdocs-static-i18n's on_page_context (before this hook) copies its links to an attribute,
    # which the theme reads; the hook rewrites them there
    cfg.extra.alternate = [dict(item) for item in cfg.extra["alternate"]]
    p = page(cfg, "intro.md", (url or "") + "index.html")
    hook(cfg, "alternates").on_page_context({}, page=p, config=cfg, nav=Navigation([], []))
    links = cfg.extra.alternate
    assert [item["lang"] for item in links] == ["zh-TW", "zh-CN", "en"]
    assert [item["path"] for item in links] == paths
    expected = [SITE_URL + "/" + ("" if path == "./" else path) for path in paths]
    assert [item["link"] for item in links] == expected


def test_every_page_folder_answers_the_alternate_probe(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    alternates = hook(cfg, "alternates")
    p = page(cfg, "intro.md", "en/intro/index.html")
    assert alternates.on_post_page("<html></html>", page=p, config=cfg) == "<html></html>"
    sitemap = tmp_path / "site" / "en" / "intro" / "sitemap.xml"
    assert sitemap.read_text(encoding="utf-8") == alternates.EMPTY_SITEMAP

    sitemap.write_text("the real one", encoding="utf-8")  # never overwritten
    alternates.on_post_page("<html></html>", page=p, config=cfg)
    assert sitemap.read_text(encoding="utf-8") == "the real one"


# --------------------------------------------------------------------------- edit_link.py


@pytest.mark.parametrize(
    ("repository", "lang", "src_uri", "kind", "url"),
    [
        (
            "example/course",
            "zh-TW",
            "guide.md",
            "generated",
            "https://github.com/example/course/edit/main/docs/guide.zh-CN.md",
        ),
        (
            "example/course",
            "zh-CN",
            "guide.zh-CN.md",
            "own",
            "https://github.com/example/course/edit/main/docs/guide.zh-CN.md",
        ),
        (
            "example/course",
            "en",
            "guide.en.md",
            "fallback",
            "https://github.com/example/course/edit/main/docs/guide.zh-CN.md",
        ),
        ("OWNER/REPO", "zh-CN", "guide.zh-CN.md", None, None),
    ],
)
def test_edit_link_goes_to_the_source_file(
    tmp_path: Path, repository: str, lang: str, src_uri: str, kind: str | None, url: str | None
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.zh-CN.md").write_text("# 指南\n", encoding="utf-8")
    cfg = config(tmp_path, docs_dir=str(docs))
    cfg.extra["notebooks"] = {"github": repository, "branch": "main"}
    cfg.plugins["i18n"].current_language = lang
    p = page(cfg, src_uri, "guide/index.html")
    context = hook(cfg, "edit_link").on_page_context({}, page=p, config=cfg, nav=Navigation([], []))
    assert p.edit_url == url
    link = context["source_link"]
    assert (link.kind if link else None) == kind
