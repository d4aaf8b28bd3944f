"""A notebook page as mkdocs-jupyter renders it: the template's styles and scripts apart from cells.

mkdocs-jupyter's template writes its CSS and its copy-button script inline around the cells.
They are the template's, not the notebook's, so they are lifted out before the page is
sanitized (llmcourse.sanitize) and served as files (one cached stylesheet for every notebook
page); the cells, which may hold anything a notebook's author put in an output, are sanitized.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

WRAPPER = '<div class="jupyter-wrapper">'
WRAPPER_END = "</div> <!-- jupyter-wrapper -->"
SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
# The template writes `<clipboard-copy for="cell-1", …>`, which reaches us as `,=""`.
STRAY_COMMA = re.compile(r'(<clipboard-copy) ,=""')


@dataclass(frozen=True)
class Asset:
    """A stylesheet or script lifted from the template, named by its content."""

    kind: str  # "css" or "js"
    text: str

    @property
    def name(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]
        return f"assets/notebooks/notebook-{digest}.{self.kind}"


def split(html: str) -> tuple[str, list[Asset]]:
    """(the cells, the template's own assets) of a rendered notebook page."""
    start = html.find(WRAPPER)
    end = html.rfind(WRAPPER_END)
    if start < 0 or end < start:
        raise ValueError(
            "mkdocs-jupyter's page no longer has its jupyter-wrapper markers: "
            "update llmcourse/notebook_html.py for the new template"
        )
    end += len(WRAPPER_END)
    template = html[:start] + html[end:]
    cells = STRAY_COMMA.sub(r"\1", html[start:end])
    css = "\n".join(body.strip() for body in STYLE.findall(template))
    js = "\n;\n".join(
        body.strip()
        for attrs, body in SCRIPT.findall(template)
        if "src=" not in attrs and _is_javascript(attrs) and body.strip()
    )
    return cells, [Asset(kind, text) for kind, text in (("css", css), ("js", js)) if text]


def _is_javascript(attrs: str) -> bool:
    """A script element that browsers run: no type, or a JavaScript one (not data or config)."""
    kind = SCRIPT_TYPE.search(attrs)
    return kind is None or kind.group(1).lower() in ("text/javascript", "application/javascript")
