"""One model of a Markdown page: every tool reads the same fences, front matter and anchors.

Where mdtext's and mdspans' copies used to disagree, each case is asked of all of them
(mdspans' block scan and spans, mdtext's line views, check) and of Python-Markdown itself.
"""

from __future__ import annotations

import pytest
from mkdocs.utils.meta import get_data

from conftest import site_markdown
from llmcourse import check, convert, guard, mdspans, mdtext, toc

PAYLOAD = "<img src=x onerror=alert(1)>"


def _html(text: str) -> str:
    return site_markdown().convert(text)


def _views(text: str) -> dict:
    """What each tool makes of a page's code."""
    lines = text.splitlines()
    return {
        "fence spans": [s for s in mdspans.scan(text) if s.kind == "fence"],
        "code mask": mdtext.code_mask(lines),
        "fenced blocks": [(b.line, b.text) for b in mdtext.fenced_blocks(text)],
        "unclosed": mdtext.unclosed_fence(lines),
        "headings": [h.text for h in mdtext.headings(text, rendered=True)],
    }


# --------------------------------------------------------------------------------------------
# Fences


@pytest.mark.parametrize("opener", ["```py`x", "```C++ / notes", "```python {x"])
def test_an_info_string_superfences_does_not_know_opens_no_fence(opener: str) -> None:
    """The backticks pair as one code span over the paragraph: the payload is inert."""
    page = f"# T\n\n{opener}\n{PAYLOAD}\n```\n"
    assert mdspans.fence_open(opener) is None
    assert _views(page) == {
        "fence spans": [],
        "code mask": [False] * 5,
        "fenced blocks": [],
        "unclosed": None,
        "headings": ["T"],
    }
    code = [s for s in mdspans.scan(page) if s.kind == "code"]
    assert [page[s.start : s.end] for s in code] == [page[page.index("```") :].rstrip("\n")]
    assert check.unsafe_problems(page) == []
    assert "<img" not in _html(page)  # Python-Markdown: inline code, escaped


def test_a_tilde_line_with_a_backtick_opens_no_fence_and_hides_nothing() -> None:
    page = f"# T\n\n~~~py`x\n{PAYLOAD}\n~~~\n"
    assert mdspans.fence_open("~~~py`x") is None
    views = _views(page)
    assert (views["code mask"], views["unclosed"]) == ([False] * 5, 5)
    col = PAYLOAD.index("onerror") + 1
    assert check.unsafe_problems(page) == [
        (4, col, "unsafe HTML: event attribute onerror= runs code")
    ]
    assert PAYLOAD in _html(page)  # live for Python-Markdown


@pytest.mark.parametrize(
    ("line", "fence"),
    [
        ("```", "```"),
        ("````python", "````"),
        ("~~~ {.js #id}", "~~~"),
        ('``` python title="a b" linenums="1"', "```"),
    ],
)
def test_fence_openings_superfences_knows(line: str, fence: str) -> None:
    assert mdspans.fence_open(line) == fence
    page = f"{line}\n# 註解\n{fence}\n"
    assert _views(page)["code mask"] == [True, True, True]
    assert "<h1" not in _html(page)


def test_a_longer_run_does_not_close_a_fence() -> None:
    page = "```\n# 一\n````\n# 二\n```\n"
    assert _views(page) == {
        "fence spans": [mdspans.Span(0, len(page) - 1, "fence")],
        "code mask": [True] * 5,
        "fenced blocks": [(1, page.rstrip("\n"))],
        "unclosed": None,
        "headings": [],
    }
    assert "<h1" not in _html(page)


def test_a_fence_never_closed_is_no_fence() -> None:
    page = "# 標題\n\n```python\nx = 1\n\n## 之後\n"
    assert _views(page) == {
        "fence spans": [],
        "code mask": [False] * 6,
        "fenced blocks": [],
        "unclosed": 3,
        "headings": ["標題", "之後"],
    }
    assert toc.heading_ids(page) == ["标题", "之后"]
    assert '<h2 id="之后">' in _html(page)


def test_an_indented_fence_after_a_blank_line_is_indented_code() -> None:
    page = "段落\n\n    ```python\n# 標題\n```\n"
    spans = mdspans.blocks(page).spans
    assert [(s.kind, page[s.start : s.end]) for s in spans] == [("indented-code", "    ```python")]
    assert _views(page)["code mask"] == [False] * 5
    assert _views(page)["headings"] == ["標題"]
    assert toc.heading_ids(page) == ["标题"]


def test_a_fence_in_a_block_quote_is_a_fence() -> None:
    page = "> ```python\n> # 註解\n> ```\n\n# 標題\n"
    assert _views(page) == {
        "fence spans": [mdspans.Span(0, page.index("\n\n"), "fence")],
        "code mask": [True, True, True, False, False],
        "fenced blocks": [(1, "> ```python\n> # 註解\n> ```")],
        "unclosed": None,
        "headings": ["標題"],
    }
    assert toc.heading_ids(page) == ["标题"]


def test_check_reports_an_unclosed_fence_at_its_line() -> None:
    lines = ["# T", "", "  ~~~~ js", "x"]
    report = check.FileReport("p.md")
    check.check_structure(lines, 1, mdtext.code_mask(lines), report)
    assert [p.format() for p in report.finish()] == [
        "p.md:3:3: code fence ~~~~ is never closed: Python-Markdown shows it and the code after "
        "it as text (hint: close it with a line of ~~~~)"
    ]


# --------------------------------------------------------------------------------------------
# Front matter


PAGE = "---  \ntitle: 標題\nparity:\n  - check: links\n    reason: 原文少一個連結\n---\n# 標題\n"


def test_one_front_matter_for_every_view() -> None:
    """Trailing spaces after --- (MkDocs accepts them; mdtext once did not)."""
    meta = {"title": "標題", "parity": [{"check": "links", "reason": "原文少一個連結"}]}
    body = PAGE[PAGE.index("# 標題") :]
    assert get_data(PAGE) == (body, meta)  # MkDocs' own reading
    assert mdtext.split_front_matter(PAGE) == (meta, body, 6)
    fm = mdspans.split_front_matter(PAGE)
    assert (fm.end, fm.data, fm.lines) == (PAGE.index("# 標題"), meta, 6)
    assert [PAGE[s:e] for s, e in fm.values] == ["標題", "原文少一個連結"]  # prose
    assert [PAGE[s:e] for s, e in fm.identifiers] == ["links"]  # parity's check: a name
    assert check.front_matter_marks(PAGE) == {
        ("title",): (2, 1),
        ("parity",): (3, 1),
        ("parity", "0"): (4, 5),
        ("parity", "0", "check"): (4, 5),
        ("parity", "0", "reason"): (5, 5),
    }
    assert guard.key_line(PAGE, "parity") == 3
    assert guard.front_matter_plain(PAGE, check.FileReport("p.md"))


def test_crlf_front_matter() -> None:
    page = PAGE.replace("\n", "\r\n")
    meta, body, lines = mdtext.split_front_matter(page)
    assert (meta["title"], body, lines) == ("標題", "# 標題\r\n", 6)
    assert mdspans.split_front_matter(page).end == page.index("# 標題")


def test_front_matter_never_closed() -> None:
    page = "---\ntitle: &a 標題\n# 標題\n"
    with pytest.raises(mdtext.FrontMatterError, match=r"^p.md:1:1: front matter starts"):
        mdtext.split_front_matter(page, "p.md")
    assert mdspans.split_front_matter(page) is None
    assert mdspans.scan(page) == []  # no front matter: the page is prose
    report = check.FileReport("p.md")
    assert not guard.front_matter_plain(page, report)
    assert [p.format() for p in report.finish()][0].startswith(
        "p.md:2:8: front matter uses a YAML anchor"
    )


def test_yaml_error_at_the_end_of_the_block_is_on_the_closing_line() -> None:
    page = "---\ntitle: [一\n---\n# 標題\n"
    with pytest.raises(mdtext.FrontMatterError, match=r"^p.md:3:1: front matter: "):
        mdtext.split_front_matter(page, "p.md")
    fm = mdspans.split_front_matter(page)
    assert (fm.error_at[:2], fm.values, fm.end) == ((3, 1), [], page.index("# 標題"))


def test_aliases_are_walked_once() -> None:
    """A billion laughs of front matter: its values are found without expanding it."""
    levels = [f"  l0: &l0 [{', '.join(['哈'] * 9)}]"]
    levels += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 30)]
    page = "---\nsearch:\n" + "\n".join(levels) + "\n---\n# 標題\n"
    fm = mdspans.split_front_matter(page)
    assert fm.markup == ("anchor", 3, 7)
    assert [page[s:e] for s, e in fm.values] == ["哈"] * 9


# --------------------------------------------------------------------------------------------
# Anchors


def test_anchors_come_from_toc_with_the_configured_slugify() -> None:
    names, options = toc._extensions()
    assert options["toc"]["slugify"] is convert.heading_slug
    assert names[:3] == toc.MKDOCS_BUILTINS and "pymdownx.superfences" in names
    assert toc.title_id("安裝步驟") == "安装步骤"
    page = '# 安裝步驟\n\n## 安裝步驟 {#install}\n\n## 安裝步驟\n\n<a name="old"></a>\n'
    md = site_markdown()
    md.convert(page)
    real = [md.toc_tokens[0]["id"], *(t["id"] for t in md.toc_tokens[0]["children"])]
    assert toc.heading_ids(page) == real == ["安装步骤", "install", "安装步骤_1"]
    assert toc.anchors(page) == ["安装步骤", "install", "安装步骤_1", "old"]


CODE_PAGE = (
    '# 程式碼\n\n```python linenums="1" hl_lines="2" title="a.py"\n'
    "x = 1\ny = '<a id=\"no\">'\n```\n\n"
    '## 之後 {#after}\n\n<span id="raw"></span>\n\n`#!python z = 2`\n'
)


def _ids(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    tags = BeautifulSoup(html, "html.parser").find_all(
        lambda t: t.has_attr("id") or t.has_attr("name")
    )
    return [t.get("id") or t.get("name") for t in tags]


def test_ids_are_read_without_highlighting_and_are_those_the_build_gives() -> None:
    """Pygments (two thirds of the time of a page with code) is off when toc reads a page's
    ids: they are the ids of the page rendered with it, as the build renders it."""
    assert toc._extensions()[1][toc.HIGHLIGHT]["use_pygments"] is False
    assert _ids(site_markdown().convert(CODE_PAGE)) == ["代码", "after", "raw"]
    assert toc.anchors(CODE_PAGE) == ["代码", "after", "raw"]


@pytest.mark.parametrize("option", toc.CODE_LINE_IDS)
def test_highlighting_stays_where_lines_of_code_get_ids(option: str) -> None:
    """With an option that gives each line of code an id through Pygments, toc reads the
    page with Pygments, as the build renders it."""
    import markdown

    options = {toc.HIGHLIGHT: {option: "line" if option != "anchor_linenums" else True}}
    assert toc._ids_only(options) is options
    with_pygments = markdown.Markdown(
        extensions=["pymdownx.superfences", toc.HIGHLIGHT], extension_configs=options
    )
    assert len(_ids(with_pygments.convert(CODE_PAGE))) == 3  # two lines of code, and raw


def test_check_validates_the_page_the_build_renders() -> None:
    """A zh-TW page quoting a mainland heading: the build shows it in Taiwan script
    (render_page), whose anchor is the zh-CN page's; check agrees with the build."""
    page = "# 標題\n\n## 贪婪解码\n"
    built = toc.heading_ids(convert.render_page(page, "zh-TW"))
    assert built == toc.heading_ids(convert.convert_markdown(page, "zh-CN")) == ["标题", "贪心解码"]
    report = check.FileReport("p.md")
    check.check_conversion(page, "zh-TW", report)
    assert report.finish() == []


# --------------------------------------------------------------------------------------------
# Inline code


@pytest.mark.parametrize(
    ("line", "code", "rendered"),
    [
        # no run of three closes it and every later run is shorter: the longest (``) does
        ("a ```` b ``` c", "```` b ```", "` b"),
        ("```a`b <i>x</i>", "```a`", "``a"),
        ("x ``a` b` c", "``a`", "`a"),
        # a longer run later: nothing closes it, the rest is text
        ("`x``y``", "``y``", "y"),
        ("a \\`x` y`", "` y`", "y"),
        ("a \\\\`x` y", "`x`", "x"),
    ],
)
def test_one_code_span_finder_with_python_markdown_semantics(
    line: str, code: str, rendered: str
) -> None:
    """Conversion's scanner and check's blanking pair backticks as Python-Markdown does."""
    page = f"{line}\n"
    start = line.index(code)
    assert list(mdspans.code_spans(line)) == [(start, start + len(code))]
    spans = [(s.start, s.end) for s in mdspans.scan(page) if s.kind == "code"]
    assert spans == [(start, start + len(code))]
    blanked = mdtext.blank_code([line])[0]
    assert blanked == line[:start] + " " * len(code) + line[start + len(code) :]
    html = _html(page)
    assert html.count("<code>") == 1
    assert f"<code>{rendered}</code>" in html


# --------------------------------------------------------------------------------------------
# Headings


def test_a_raw_html_block_ends_where_its_element_closes_nested_ones_included() -> None:
    """Nested <details> (seed-003): the heading inside the outer one is not rendered."""
    page = "# A\n\n<details>\n\n<details>\nx\n</details>\n\n## Hidden\n\n</details>\n\n## B\n"
    md = site_markdown()
    md.convert(page)
    assert [t["name"] for t in md.toc_tokens[0]["children"]] == ["B"]
    headings = mdtext.headings(page, rendered=True)
    assert [(h.level, h.text, h.line) for h in headings] == [(1, "A", 1), (2, "B", 13)]


# --------------------------------------------------------------------------------------------
# Containers: one stack (mdspans.blocks) for code and headings, rules as the site renders


def _rendered(page: str) -> list[tuple[int, str]]:
    md = site_markdown()
    md.convert(page)

    def flat(tokens: list) -> list[tuple[int, str]]:
        return [x for t in tokens for x in [(t["level"], t["name"]), *flat(t["children"])]]

    return flat(md.toc_tokens)


def _code(page: str) -> list[str]:
    return [page[s.start : s.end] for s in mdspans.blocks(page).spans if s.kind == "indented-code"]


def test_headings_in_block_quotes_are_rendered_and_recorded() -> None:
    page = "> # T\n> 段落\n\n> > ## U\n\n> <div>\n> # Q\n> </div>\n"
    assert _rendered(page) == [(1, "T"), (2, "U"), (1, "Q")]
    headings = mdtext.headings(page, rendered=True)
    assert [(h.level, h.text, h.line) for h in headings] == [(1, "T", 1), (2, "U", 4), (1, "Q", 7)]


@pytest.mark.parametrize("opener", ['=== "標籤"', '===+ "標籤"', '===! "標籤"', "[^1]: 註腳"])
def test_tabs_and_footnote_definitions_open_no_container_the_site_does_not_enable_them(
    opener: str,
) -> None:
    """mkdocs.yml enables neither pymdownx.tabbed nor footnotes: the indented line is code."""
    page = f"{opener}\n\n    # 代码\n"
    assert "<pre><span></span><code># 代码\n</code></pre>" in _html(page)
    assert _code(page) == ["    # 代码"]
    assert mdtext.headings(page, rendered=True) == []


def test_an_admonition_ends_at_a_less_indented_line_it_is_not_lazy() -> None:
    page = "x\n\n!!! note\n    段落\n之後\n\n    # 代码\n"
    assert '<p>之後</p>\n<div class="highlight"><pre><span></span><code># 代码' in _html(page)
    assert _code(page) == ["    # 代码"]
    assert mdtext.headings(page, rendered=True) == []


def test_a_list_item_stays_open_under_a_lazy_line_a_new_item_closes_deeper_ones() -> None:
    lazy = "- a\n之後\n\n    # H\n"
    assert _rendered(lazy) == [(1, "H")]
    assert _code(lazy) == []
    assert [h.text for h in mdtext.headings(lazy, rendered=True)] == ["H"]
    items = "- a\n  - b\n之後\n- # C\n\n    代码\n"
    assert _rendered(items) == [(1, "C")]
    assert "<p>代码</p>" in _html(items)
    assert _code(items) == []
    assert [(h.text, h.line) for h in mdtext.headings(items, rendered=True)] == [("C", 4)]
