"""A test site's hook: a build step that swallows Ctrl-C, as the sanitizer's nh3 call does.

nh3 calls an attribute filter written in Python and reports an exception raised in it as
"Exception ignored", dropping the attribute and carrying on. On a page whose text has MARKER,
this hook runs nh3 with a filter that writes ``interrupt-ready`` beside the site's mkdocs.yml
(the test's cue to send Ctrl-C) and waits there: the KeyboardInterrupt is raised in the filter
and nh3 swallows it, so the build goes on as if no Ctrl-C had come.
"""

from __future__ import annotations

import time
from pathlib import Path

import nh3

MARKER = "swallow-the-interrupt"
#: How long the filter waits for the test's Ctrl-C.
WAIT = 60.0


def on_page_content(html: str, *, page, config, files) -> str:
    if MARKER not in page.markdown:
        return html
    ready = Path(config.config_file_path).parent / "interrupt-ready"

    def wait(tag: str, attribute: str, value: str) -> str:
        if not ready.exists():
            ready.touch()
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                time.sleep(0.05)
        return value

    nh3.clean('<a href="https://example.invalid/">link</a>', attribute_filter=wait)
    return html
