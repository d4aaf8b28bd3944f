"""A notebook page as mkdocs-jupyter renders it: the template's styles and scripts apart from cells.

mkdocs-jupyter's template writes its CSS and its copy-button script inline around the cells.
They are the template's, not the notebook's, so they are lifted out before the page is
sanitized (llmcourse.sanitize) and served as files (one cached stylesheet for every notebook
page); the cells, which may hold anything a notebook's author put in an output, are sanitized.

nbconvert is slow (about half a second a notebook) and every language build renders every
notebook, a generated other-script copy or a fallback: ``rendered`` keeps each rendering by the
hash of the notebook's bytes and the renderer's options, in memory for the other language
builds and serve's rebuilds, and in ``.cache/notebooks/`` for the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from llmcourse.fsio import atomic_write

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


# ---------------------------------------------------------------------------------------------
# Rendering once per content

CACHE = Path(__file__).resolve().parent.parent.parent / ".cache" / "notebooks"
#: How many renderings the cache keeps (the least recently used go first).
KEEP = 64
#: mkdocs-jupyter options that change its HTML (as its own cache key lists them).
RENDER_OPTIONS = (
    "execute",
    "kernel_name",
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "include_requirejs",
    "custom_mathjax_url",
    "toc_depth",
    "ignore_h1_titles",
)
_MEMORY: dict[str, dict] = {}


def render_key(source: bytes, options: dict) -> str:
    """The notebook's bytes, the options and the renderer's versions, hashed."""
    digest = hashlib.sha256(source)
    for package in ("mkdocs-jupyter", "nbconvert", "jupytext"):
        digest.update(f"\0{package}={metadata.version(package)}".encode())
    for name in RENDER_OPTIONS:
        digest.update(f"\0{name}={options.get(name)!r}".encode())
    return digest.hexdigest()


def rendered(key: str, render: Callable[[], dict], cache: Path = CACHE) -> dict:
    """``render()`` (a JSON-able dict) once per key: from memory, the cache folder, or anew."""
    if key in _MEMORY:
        return _MEMORY[key]
    path = cache / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        os.utime(path)  # recently used: kept by _evict
    except (OSError, ValueError):  # missing, or unreadable: render again and replace it
        data = render()
        atomic_write(path, json.dumps(data, ensure_ascii=False))
        _evict(cache)
    if len(_MEMORY) >= KEEP:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = data
    return data


def _evict(cache: Path) -> None:
    entries = []
    for path in cache.glob("*.json"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime, path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
