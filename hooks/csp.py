"""A Content-Security-Policy on every HTML file that trusts only the theme's and our scripts.

Inline scripts are allowed by hash, and only those the templates wrote: the page's own
content (``page.content``, already sanitized) is cut out of the HTML before hashing, so a
script that reached the content some other way is never allowed. ``404.html`` carries the
policy too. Under ``mkdocs serve`` the live-reload script MkDocs injects into each response
is added by its hash to that response's policy, and nothing else.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from llmcourse import csp


@event_priority(-200)  # last, so that the policy covers the final HTML of every other hook
def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """This page's policy: hashes of the inline scripts outside its content."""
    content = page.content or ""
    at = output.find(content) if content else -1
    if content and at < 0:
        raise PluginError(
            f"csp: the content of {page.file.src_uri} is not in its HTML as rendered; "
            "a hook changed it after the template (move that change to on_page_content)"
        )
    template = output if at < 0 else output[:at] + output[at + len(content) :]
    return csp.with_policy(output, csp.inline_script_hashes(template))


@event_priority(-200)
def on_post_template(output: str, *, template_name: str, config: MkDocsConfig) -> str:
    """Static HTML templates (404.html): they hold no page content, only the theme's."""
    if not template_name.endswith(".html"):
        return output
    return csp.with_policy(output, csp.inline_script_hashes(output))


def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
    """Let each served page's live-reload script (and only it) run under the page's policy."""
    inject = server._inject_js_into_html

    def inject_allowed(content: bytes, epoch: int) -> bytes:
        return csp.allow_injected(content, inject(content, epoch))

    server._inject_js_into_html = inject_allowed
    return server
