"""Our Jinja partials (overrides/partials/) rendered into a page's content, autoescaped.

Hooks that add markup of their own to a page (the roadmap, the progress controls, the status
table) render it from a partial of the theme's folders, as Material renders its own, with
autoescaping on: a page title or any other text they pass is escaped, whatever the partial
forgets. JSON for scripts goes through `tojson` (HTML-safe, insertion order, UTF-8 kept).

One environment per set of theme folders, kept for the process: a fresh theme environment
(`config.theme.get_env()`) costs several milliseconds, once per page. Templates are checked
against their files on each use (`auto_reload`), so an edited partial is read again.
"""

from __future__ import annotations

import functools

import jinja2
from mkdocs.theme import Theme


def render(theme: Theme, name: str, **context: object) -> str:
    """The partial `name` (e.g. "partials/roadmap.html") of the theme, with `context`."""
    return environment(folders(theme)).get_template(name).render(**context)


def folders(theme: Theme) -> tuple[str, ...]:
    """The theme's folders, each once: mkdocs-static-i18n adds its own to theme.dirs again in
    each language build, and the language builds of one site build read the same theme."""
    return tuple(dict.fromkeys(theme.dirs))


@functools.cache
def environment(dirs: tuple[str, ...]) -> jinja2.Environment:
    """The autoescaping environment of the theme folders `dirs` (ours first)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        autoescape=True,
        auto_reload=True,
        undefined=jinja2.StrictUndefined,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    return env
