"""A Content-Security-Policy on every HTML file that trusts only the theme's and our scripts.

Inline scripts are allowed by hash, and only those the theme's templates write
(llmcourse.csp.template_scripts): a script that reached a page from its content, its front
matter or a file name matches none, so it gets no hash. ``404.html`` carries the policy too.
Under ``mkdocs serve`` the live-reload script MkDocs injects into each response is added by
its hash to that response's policy, and nothing else.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from llmcourse import csp, partials


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Read the theme's inline scripts before the pages: under `mkdocs build`, before the
    other languages' processes are forked (llmcourse.language_builds), which inherit them."""
    _trusted(config)


@event_priority(-200)  # last, so that the policy covers the final HTML of every other hook
def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """This page's policy: hashes of the template-written inline scripts."""
    return csp.with_policy(output, csp.inline_script_hashes(output, _trusted(config)))


@event_priority(-200)
def on_post_template(output: str, *, template_name: str, config: MkDocsConfig) -> str:
    """Static HTML templates (404.html) get the same policy."""
    if not template_name.endswith(".html"):
        return output
    return csp.with_policy(output, csp.inline_script_hashes(output, _trusted(config)))


def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
    """Let each served page's live-reload script (and only it) run under the page's policy."""
    inject = server._inject_js_into_html

    def inject_allowed(content: bytes, epoch: int) -> bytes:
        return csp.allow_injected(content, inject(content, epoch))

    server._inject_js_into_html = inject_allowed
    return server


def _trusted(config: MkDocsConfig) -> list:
    patterns = csp.template_scripts(partials.folders(config.theme))  # one reading for all
    if not patterns:
        raise PluginError("csp: the theme's templates have no inline script: check theme.dirs")
    return patterns
