"""Notebook pages as a reader meets them, in Chromium (llmcourse/notebook.css): a link to a
section lands on its heading, outputs keep their lines whole on a phone, and the code is
readable in dark mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import serving
from llmcourse import bench, notebook_html

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Every cell laid out (notebook.css lets the browser skip cells off screen): what is measured
#: across a whole page is then drawn.
ALL_CELLS = ".jp-Cell{content-visibility:visible!important}"


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serving(site) as url:
        yield url


# ---------------------------------------------------------------------------------------------
# Links to a section

#: How far (px) the heading ``id`` is from where the browser should put it: its
#: scroll-margin-top (Material's, which clears the header) below the top of the screen; and
#: the header's bottom, for the sanity check that that place is under the header.
ARRIVAL_JS = """id => {
  const heading = document.getElementById(id);
  const margin = parseFloat(getComputedStyle(heading).scrollMarginTop);
  const header = document.querySelector('.md-header').getBoundingClientRect().bottom;
  return [heading.getBoundingClientRect().top - margin, header, margin];
}"""


def _off_by(page, anchor: str) -> float:
    off, header, margin = page.evaluate(ARRIVAL_JS, anchor)
    assert header <= margin < header + 40  # the heading's place is right under the header
    return off


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "path,anchor",
    [
        ("en/notebooks/quantization/", "4-error-analysis"),
        ("zh-CN/notebooks/attention/", "8-多头注意力拆分"),
    ],
)
def test_a_link_to_a_section_lands_on_its_heading(
    browser, served: str, viewport: dict, path: str, anchor: str
) -> None:
    """Opened at a heading far down the page, the page shows it right under the header (the
    cells above it, which the browser may skip, counted at their real height: the heading
    landed 630 px lower on a phone)."""
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(f"{served}{path}#{anchor}")
        page.wait_for_load_state("networkidle")
        assert abs(_off_by(page, anchor)) <= 2
    finally:
        context.close()


def test_the_table_of_contents_leads_to_its_heading(browser, served: str) -> None:
    """The first click in the table of contents, before the reader has scrolled the cells
    above the heading into view."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{served}en/notebooks/quantization/")
        page.wait_for_load_state("networkidle")
        page.click('.md-sidebar--secondary a[href="#4-error-analysis"]')
        assert abs(_off_by(page, "4-error-analysis")) <= 2
    finally:
        context.close()


def test_the_language_switcher_keeps_the_heading_in_place(browser, served: str) -> None:
    """A reader at a heading switches language: the other language's page opens at that
    heading, right under the header (keep-heading.js)."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{served}notebooks/attention/")
        page.wait_for_load_state("networkidle")
        page.locator("[id='6-因果掩码']").evaluate("h => h.scrollIntoView()")
        page.hover(".md-header .md-select")
        page.click('.md-header .md-select a[hreflang="en"]')
        page.wait_for_url("**/en/notebooks/attention/#6-causal-mask")
        page.wait_for_load_state("networkidle")
        assert abs(_off_by(page, "6-causal-mask")) <= 2
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Outputs and prompts on a phone

#: Per text output: [lines of its text, lines drawn (distinct tops of its text's boxes),
#: scrollWidth > clientWidth of its box, whether the box is focusable].
OUTPUT_LINES_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output pre')].map(pre => {
  const text = pre.textContent.split('\\n').filter(line => line.trim()).length;
  const range = document.createRange();
  range.selectNodeContents(pre);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                   .map(r => Math.round(r.top)));
  const box = pre.closest('.jp-OutputArea-output');
  return [text, tops.size, box.scrollWidth > box.clientWidth, box.tabIndex === 0];
})"""


@pytest.mark.parametrize("path", ["en/notebooks/quantization/", "zh-CN/notebooks/attention/"])
def test_outputs_keep_their_lines_whole_on_a_phone(browser, served: str, path: str) -> None:
    """Each line of an output is one line on screen (JupyterLab's CSS wrapped NumPy's rows
    anywhere, `0.05` / `25`); a wider one scrolls sideways in its own box, which the keyboard
    can reach, not the page."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{served}{path}", wait_until="load")
        page.add_style_tag(content=ALL_CELLS)
        outputs = page.evaluate(OUTPUT_LINES_JS)
        assert len(outputs) >= 5
        assert [drawn for _, drawn, _, _ in outputs] == [text for text, _, _, _ in outputs]
        wide = [focusable for _, _, scrolls, focusable in outputs if scrolls]
        assert len(wide) >= 1
        assert all(wide)
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    finally:
        context.close()


#: The "In [n]:" / "Out[n]:" prompts of the page's code cells that have a box.
PROMPTS_SHOWN_JS = """() => [...document.querySelectorAll(
  '.jp-CodeCell .jp-InputPrompt, .jp-CodeCell .jp-OutputPrompt')].filter(
  p => p.getClientRects().length > 0).length"""


@pytest.mark.parametrize(
    "viewport,shown", [(PHONE, False), (DESKTOP, True)], ids=["phone", "desktop"]
)
def test_prompts_are_left_out_on_a_phone(browser, served: str, viewport: dict, shown: bool) -> None:
    """On a phone the prompts' column (76 px of 390) goes to the code; a desktop keeps it."""
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(f"{served}en/notebooks/quantization/", wait_until="load")
        page.add_style_tag(content=ALL_CELLS)
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt, .jp-CodeCell .jp-OutputPrompt")
        assert prompts.count() > 10
        expected = prompts.count() if shown else 0
        assert page.evaluate(PROMPTS_SHOWN_JS) == expected
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Dark mode


@pytest.mark.parametrize(
    "path",
    ["notebooks/attention/", "en/notebooks/quantization/", "zh-CN/notebooks/decoding/"],
)
def test_notebook_code_is_readable_in_dark_mode(browser, served: str, path: str) -> None:
    """axe finds no text below WCAG AA contrast on a notebook page in Material's slate scheme
    (the code cells had the light theme's colours on a dark background, about 2:1)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{served}{path}")
        page.wait_for_load_state("networkidle")
        page.add_style_tag(content=ALL_CELLS)
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        results = Axe().run(page, options={"runOnly": ["color-contrast"]})
        found = [
            f"{node['target']}: {node['any'][0]['message'][:120]}"
            for violation in results.response["violations"]
            for node in violation["nodes"]
        ]
        assert found == []
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Weight


def test_notebook_pages_within_their_budget(site: Path) -> None:
    """Every notebook page opens with at most 120 KB (120,000 bytes) of HTML, CSS and JS with
    gzip, counted as `course.py bench` counts them (with every cell laid out when a page
    opens at a heading, the skipping of cells off screen saves time, not bytes)."""
    for index in sorted(site.glob("**/notebooks/*/index.html")):
        page = index.parent.relative_to(site).as_posix()
        weights = bench.page_bytes(site, page)
        assert sum(gz for _, _, gz in weights.values()) <= 120_000, (page, weights)
    assert bench.MEASURED["budget"]["notebook"] == 120_000  # the budget bench shows


def test_site_rules_ship_without_their_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    """notebook.css explains its rules at length: the stylesheet pages load has the rules."""
    monkeypatch.setattr(notebook_html, "trimmed", lambda css, used: "TRIMMED")
    sheet = notebook_html.stylesheet("", set())
    assert "/*" not in sheet
    assert "\n\n" not in sheet
    assert sheet.startswith("TRIMMED\n.jupyter-wrapper .jp-Cell {\ncontent-visibility: auto;\n")
