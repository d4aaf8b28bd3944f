"""The text the theme writes around a page, in the reader's language.

Three packages write UI text into every page: Material (its language tables, plus a
"Made with" line that it never translates), Python-Markdown's toc extension (the heading
links' "Permanent link" tooltip) and mkdocs-jupyter (the notebook cells' copy button).
Our translations live in locales/<lang>.yml under `ui`: they override Material's table
for the language (`material_language`: zh for zh-CN) and carry the keys the other two
lack (`toc.permalink`, `copyright.generator`).

`english_ui_strings()` reads the English of all three from the installed packages, so a test
can tell when a Chinese page still shows one of them.
"""

from __future__ import annotations

import ast
import functools
import html
import re
from pathlib import Path

import markdown.extensions.toc
import material
import mkdocs_jupyter

from llmcourse import locales, theme_patch

#: the installed Material's templates (theme dirs put ours first; this is the last resort)
MATERIAL_TEMPLATES = Path(material.__file__).resolve().parent / "templates"
#: mkdocs-jupyter's page template, whose copy button says "Copy to Clipboard"
JUPYTER_TEMPLATE = (
    Path(mkdocs_jupyter.__file__).resolve().parent
    / "templates"
    / "mkdocs_html"
    / "notebook.html.j2"
)


def ui_table(lang: str, dirs: tuple[str, ...] = (str(MATERIAL_TEMPLATES),)) -> dict[str, str]:
    """Material's table for the language (locales/<lang>.yml `material_language`) with the
    `ui` strings of locales/<lang>.yml; its `language` (the pages' <html lang>) is the
    language's own locale (zh-CN, where Material's table says zh)."""
    table = dict(material_strings(locales.text(lang, "material_language"), dirs))
    table.update(locales.load(lang).get("ui", {}))
    table["language"] = lang
    return table


def language_macro(lang: str, dirs: tuple[str, ...]) -> str:
    """partials/languages/<lang>.html: the `t(key)` macro Material's templates call."""
    body = ",\n".join(f"  {k!r}: {v!r}" for k, v in ui_table(lang, dirs).items())
    return "{% macro t(key) %}{{ {\n" + body + "\n}[key] }}{% endmacro %}\n"


@functools.cache
def material_strings(name: str, dirs: tuple[str, ...] = (str(MATERIAL_TEMPLATES),)) -> dict:
    """The key → text table of Material's partials/languages/<name>.html."""
    for folder in dirs:
        path = Path(folder) / "partials" / "languages" / f"{name}.html"
        if path.exists():
            source = path.read_text(encoding="utf-8")
            table = MACRO_TABLE.search(source)
            if table:
                return ast.literal_eval(table.group(1))
    raise FileNotFoundError(f"Material has no language table '{name}' in {dirs}")


def localize_notebook(page_html: str, table: dict[str, str], *, has_code: bool) -> str:
    """mkdocs-jupyter's copy buttons with the language's clipboard texts. MarkupMissing if the
    page of a notebook with code (`has_code`) has no copy button the template used to write."""
    copy = html.escape(table["clipboard.copy"], quote=True)
    copied = html.escape(table["clipboard.copied"], quote=False)
    for pattern, text in ((CLIPBOARD_LABEL, copy), (CLIPBOARD_NOTICE, copied)):
        page_html = theme_patch.sub(
            pattern,
            lambda m, text=text: m.group(1) + text + m.group(3),
            page_html,
            template=f"mkdocs-jupyter's {JUPYTER_TEMPLATE.name}",
            by="scripts/llmcourse/theme_text.py",
            required=has_code,
        )
    return page_html


@functools.cache
def english_ui_strings() -> frozenset[str]:
    """Every English UI text the theme can write, read from the installed packages."""
    table = material_strings("en")
    strings = {v for k, v in table.items() if k not in NOT_TEXT and not k.startswith(NOT_TEXT)}
    strings.add(markdown.extensions.toc.TocExtension().getConfig("permalink_title"))
    strings.update(_template_text(MATERIAL_TEMPLATES / "partials" / "copyright.html"))
    jupyter = JUPYTER_TEMPLATE.read_text(encoding="utf-8")
    strings.update(m.group(2) for m in CLIPBOARD_LABEL.finditer(jupyter))
    strings.update(m.group(2) for m in CLIPBOARD_NOTICE.finditer(jupyter))
    return frozenset(s.strip() for s in strings if s.strip())


def _template_text(path: Path) -> list[str]:
    """The literal sentences of a Jinja template, without its links (names of products)."""
    text = JINJA.sub(" ", path.read_text(encoding="utf-8"))
    text = LINK.sub("\n", text)
    text = TAG.sub("\n", text)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# Data

MACRO_TABLE = re.compile(r"\{\{ (\{.*\}) ?\[key\]", re.S)
#: Material table keys whose values are settings, not text
NOT_TEXT = ("language", "direction", "search.config.")
CLIPBOARD_LABEL = re.compile(r'(<clipboard-copy\b[^>]*?\baria-label=")([^"]*)(")')
CLIPBOARD_NOTICE = re.compile(r'(<span class="notice"[^>]*>)([^<]*)(</span>)')
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
LINK = re.compile(r"<a\b.*?</a>", re.S)
TAG = re.compile(r"<[^>]+>")
