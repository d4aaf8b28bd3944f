"""Notebook pages load only the Jupyter CSS their cells can use (llmcourse.notebook_html.trim),
and look exactly as they do with mkdocs-jupyter's whole stylesheet."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import tinycss2
from mkdocs_jupyter.nbconvert2 import nb2html

from conftest import ROOT, serving
from llmcourse import notebook_html

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]*assets/notebooks/[^"]+\.css)">')


def test_trim_keeps_what_the_cells_can_match() -> None:
    css = (
        '@charset "UTF-8";'
        ".W :root{--jp-icon:url(x.svg)}"
        ".W{--jp-a:var(--jp-b);--jp-b:red;--jp-unused:blue;--md-x:1px}"
        "[data-md-color-scheme=slate] .W{--jp-b:white}"
        ".W .jp-Cell,.W .bp3-menu{color:var(--jp-a);animation:spin 1s}"
        ".W .jp-Cell:not(.jp-mod-active)>pre::before{content:'x'}"
        ".W table.jp-Cell{margin:0}"
        ".W #cell-1{margin:1px}"
        "pre.lonely{x:y}"
        "td .jp-Cell{margin:2px}"
        "@keyframes spin{to{opacity:0}}@keyframes blink{to{opacity:1}}"
        "@media print{.W .jp-Cell{display:none}.W .bp3-menu{display:none}}"
        "@media screen{.W .bp3-menu{display:block}}"
    ).replace(".W", notebook_html.WRAPPER_CLASS)
    used = notebook_html.used_tokens(
        f'<div class="{notebook_html.WRAPPER_CLASS[1:]}">'
        '<div id="cell-1" class="jp-Cell"><pre>x</pre></div></div>'
    )
    assert used == {"div", "pre", notebook_html.WRAPPER_CLASS, ".jp-Cell", "#cell-1"}
    assert notebook_html.trim(css, used).split("\n") == [
        line.replace(".W", notebook_html.WRAPPER_CLASS)
        for line in (
            ".W{--jp-a:var(--jp-b);--jp-b:red;--md-x:1px}",
            "[data-md-color-scheme=slate] .W{--jp-b:white}",
            ".W .jp-Cell{color:var(--jp-a);animation:spin 1s}",
            '.W .jp-Cell:not(.jp-mod-active)>pre::before{content:"x"}',
            ".W #cell-1{margin:1px}",
            "td .jp-Cell{margin:2px}",  # page-wide: a <td> may be the theme's, outside the cells
            "@keyframes spin{to{opacity:0}}",
            "@media print{.W .jp-Cell{display:none}}",
        )
    ]


def test_trimmed_stylesheet_is_made_once_per_css_and_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every language build trims the same stylesheet for the same cells: the first trim is
    kept (in memory and in the cache folder) and the next build reads it back."""
    css = ".W .jp-Cell{color:red}.W .bp3-menu{color:blue}".replace(
        ".W", notebook_html.WRAPPER_CLASS
    )
    used = {notebook_html.WRAPPER_CLASS, ".jp-Cell"}
    first = notebook_html.trimmed(css, used, cache=tmp_path)
    assert first == notebook_html.trim(css, used)
    assert [p.name[:4] for p in tmp_path.glob("*.json")] == ["css-"]
    monkeypatch.setattr(notebook_html, "_STORES", {})  # as a new build process would start
    monkeypatch.setattr(notebook_html, "trim", lambda *a: pytest.fail("trimmed again"))
    assert notebook_html.trimmed(css, used, cache=tmp_path) == first
    # other cells ask for another trim
    monkeypatch.setattr(notebook_html, "trim", lambda c, u: "other")
    assert notebook_html.trimmed(css, used | {".bp3-menu"}, cache=tmp_path) == "other"


@functools.cache
def _full_css() -> str:
    """mkdocs-jupyter's whole stylesheet, as its template writes it into a notebook page."""
    path = ROOT / "docs" / "notebooks" / "attention.ipynb"
    html = nb2html(str(path))
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "without-cells.ipynb"
        empty.write_bytes(notebook_html.without_cells(path.read_bytes()))
        template = nb2html(str(empty))
    return next(a.text for a in notebook_html.split(html, template)[1] if a.kind == "css")


def _notebook_pages(site: Path) -> list[Path]:
    return sorted(site.glob("**/notebooks/*/index.html"))


def _selectors(css: str) -> set[str]:
    """The selectors of the sheet's style rules, top level and in @media blocks."""
    found = set()
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        nodes = [rule]
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            nodes = tinycss2.parse_rule_list(rule.content, skip_comments=True)
        for node in nodes:
            if node.type == "qualified-rule":
                found.update(notebook_html._selectors(node.prelude))
    return found


#: What a static document cannot show: pseudo-elements, and states a reader causes.
DYNAMIC = re.compile(
    r"::?(?:before|after|first-line|first-letter|placeholder|selection|marker|-[\w-]+)\b"
    r"|:(?:hover|focus|focus-within|focus-visible|active|visited)\b"
)


def test_one_stylesheet_for_every_notebook_page_and_only_there(site: Path) -> None:
    linked = {}
    for page in site.glob("**/index.html"):
        found = STYLESHEET.findall(page.read_text(encoding="utf-8"))
        if found:
            linked[page] = (page.parent / found[0]).resolve()
    assert sorted(linked) == _notebook_pages(site)
    assert len(_notebook_pages(site)) == 9  # three notebooks in three languages
    assert len(set(linked.values())) == 1
    assert [p.name for p in (site / "assets" / "notebooks").glob("*.css")] == [
        next(iter(linked.values())).name
    ]


# ---------------------------------------------------------------------------------------------
# In a browser: the same computed style for every element, with either stylesheet

#: getComputedStyle of every element and its ::before/::after, custom properties left out (the
#: trimmed sheet drops the --jp-* ones nothing reads), hashed in the page (FNV-1a) so that only
#: "index tag.class pseudo hash" lines cross to Python.
STYLES_JS = """() => {
  const hash = text => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return (h >>> 0).toString(16);
  };
  const out = [];
  document.querySelectorAll('*').forEach((el, i) => {
    for (const pseudo of [null, '::before', '::after']) {
      const cs = getComputedStyle(el, pseudo);
      const where = i + ' ' + el.tagName + '.' + el.className + (pseudo || '');
      const content = cs.getPropertyValue('content');
      if (pseudo && (content === 'none' || content === 'normal')) {
        out.push(where + ' none');  // no box: its other properties show nothing
        continue;
      }
      const props = [];
      for (const name of cs)
        if (!name.startsWith('--')) props.push(name + ':' + cs.getPropertyValue(name));
      out.push(where + ' ' + hash(props.join(';')));
    }
  });
  return out;
}"""
#: The selectors (of a list) that match an element of the page, by Chromium's own engine.
MATCHING_JS = """selectors => selectors.filter(s => {
  try { return document.querySelector(s) !== null } catch (e) { return false }
})"""
#: No transition or animation caught half-way: both sides are compared at rest.
STILL = "*,*::before,*::after{transition:none!important;animation:none!important}"
#: Every cell laid out from the first layout on, on both sides: notebook.css lets the browser
#: skip cells off screen, and Chromium then reports some used values (auto margins) as they
#: were before the first full layout, differently with either stylesheet.
ALL_CELLS = """new MutationObserver((_, watch) => {
  if (!document.head) return;
  const style = document.createElement("style");
  style.textContent = ".jp-Cell{content-visibility:visible!important}";
  document.head.append(style);
  watch.disconnect();
}).observe(document, {childList: true, subtree: true})"""


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serving(site) as url:
        yield url


def test_every_selector_that_matches_a_notebook_page_is_kept(
    browser, site: Path, served: str
) -> None:
    """Chromium finds the whole stylesheet's selectors that match an element of each notebook
    page, in light and dark mode (not the trimming's token test): all of them are shipped."""
    whole = _selectors(_full_css())
    static = {selector: DYNAMIC.sub("", selector).strip() or "*" for selector in whole}
    context = browser.new_context(bypass_csp=True)
    matching: set[str] = set()
    try:
        page = context.new_page()
        for notebook in ("attention", "decoding", "quantization"):
            page.goto(f"{served}notebooks/{notebook}/", wait_until="load")
            for scheme in ("default", "slate"):
                page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
                found = set(page.evaluate(MATCHING_JS, sorted(set(static.values()))))
                matching |= {selector for selector, s in static.items() if s in found}
    finally:
        context.close()
    shipped = next((site / "assets" / "notebooks").glob("*.css")).read_text(encoding="utf-8")
    assert len(matching) > 50
    assert matching - _selectors(shipped) == set()
    assert len(shipped) < len(_full_css()) / 10


def _styles(browser, url: str, width: int, scheme: str, css: str | None) -> list[str]:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        context.add_init_script(ALL_CELLS)
        page = context.new_page()
        served = []
        if css is not None:  # the whole stylesheet in place of the trimmed one
            page.route(
                re.compile(r".*/assets/notebooks/notebook-\w+\.css$"),
                lambda route: (
                    served.append(route.request.url)
                    or route.fulfill(body=css, content_type="text/css")
                ),
            )
        page.goto(url, wait_until="load")
        assert len(served) == (css is not None)
        page.add_style_tag(content=STILL)
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        return page.evaluate(STYLES_JS)
    finally:
        context.close()


@pytest.mark.parametrize(
    "notebook,width,scheme",
    [
        ("attention", 1280, "default"),
        ("attention", 390, "slate"),
        ("quantization", 1280, "slate"),
        ("quantization", 390, "default"),
    ],
)
def test_trimmed_stylesheet_renders_as_the_whole_one(
    browser, served: str, notebook: str, width: int, scheme: str
) -> None:
    url = f"{served}notebooks/{notebook}/"
    trimmed = _styles(browser, url, width, scheme, None)
    # the shipped sheet is the trimmed one then the site's own rules (notebook.css): so is this,
    # after "{}", which ends the stray "']" the template's sheet ends with (it would swallow
    # the next rule; trimming drops it)
    site_rules = notebook_html.SITE_RULES.read_text(encoding="utf-8")
    whole = _styles(browser, url, width, scheme, _full_css() + "\n{}\n" + site_rules)
    assert len(trimmed) == len(whole) > 1000
    differences = [(a, b) for a, b in zip(trimmed, whole, strict=True) if a != b]
    assert differences == []


#: Whether an element is drawn, counting a content-visibility: auto ancestor that skips it.
SHOWN_JS = "el => el.checkVisibility({contentVisibilityAuto: true})"


def test_cells_off_screen_are_rendered_when_the_reader_reaches_them(browser, served: str) -> None:
    """A notebook page opens with only its cells near the screen rendered (notebook.css,
    content-visibility: auto): the last cell's content is skipped until the reader scrolls to
    it; a link to a heading far down the page still lands on that heading, shown."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{served}notebooks/attention/", wait_until="load")
        cells = page.locator(".jupyter-wrapper .jp-Cell")
        assert cells.count() > 10
        assert cells.first.locator("> *").first.evaluate(SHOWN_JS) is True
        last = cells.last.locator("> *").first
        assert last.evaluate(SHOWN_JS) is False
        last.scroll_into_view_if_needed()
        page.wait_for_function(SHOWN_JS, arg=last.element_handle())
        headings = page.locator(".jupyter-wrapper h2[id]")  # the middle one: the page scrolls
        anchor = headings.nth(headings.count() // 2).get_attribute("id")  # to it, not to its end
        arrived = context.new_page()  # a link from elsewhere to that heading
        arrived.goto(f"{served}notebooks/attention/#{anchor}")
        arrived.wait_for_load_state("networkidle")
        heading = arrived.locator(f"[id='{anchor}']")
        assert heading.evaluate(SHOWN_JS) is True
        assert 0 <= heading.evaluate("h => h.getBoundingClientRect().top") < 844 / 2
    finally:
        context.close()


@pytest.mark.slow
def test_renderer_is_imported_only_when_a_notebook_is_rendered(tmp_path: Path) -> None:
    """mkdocs.yml loads mkdocs-jupyter's renderer (nbconvert) and jupytext lazily: a build whose
    notebook renderings all come from the cache imports neither; one that renders imports
    nbconvert only."""
    script = (
        "import sys\n"
        "from mkdocs.commands.build import build\n"
        "from mkdocs.config import load_config\n"
        f"build(load_config({str(ROOT / 'mkdocs.yml')!r}, site_dir=sys.argv[1]))\n"
        "print('nbconvert' in sys.modules, 'jupytext.formats' in sys.modules)\n"
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

    def imported(cache: Path) -> str:
        env["LLMCOURSE_NOTEBOOK_CACHE"] = str(cache)
        result = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "site")],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.strip()

    # an empty cache: every notebook rendered (jupytext is not needed to render an .ipynb)
    assert imported(tmp_path / "cache") == "True False"
    # the renderer, run late, still has the site's heading ids (notebook_html.use_slug)
    page = (tmp_path / "site" / "notebooks" / "attention" / "index.html").read_text("utf-8")
    assert re.findall(r'<h2 id="([^"]*)"', page)[:2] == ["1-查询键与值", "2-注意力分数"]
    assert imported(tmp_path / "cache") == "False False"  # the same bytes again: from the cache
