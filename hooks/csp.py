"""A Content-Security-Policy meta tag on every page: own origin only, hashed inline scripts."""

from __future__ import annotations

import base64
import hashlib
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
DATA_TYPES = ("application/json", "application/ld+json")


@event_priority(-200)  # last, so that the hashes cover the final HTML of every other hook
def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Allow exactly this page's inline scripts; everything else from the site itself."""
    hashes = sorted(
        {
            _hash(body)
            for attrs, body in INLINE_SCRIPT.findall(output)
            if not any(t in attrs for t in DATA_TYPES)
        }
    )
    script_src = " ".join(["'self'", *(f"'sha256-{h}'" for h in hashes)])
    policy = "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self' 'unsafe-inline'",  # Material and notebooks set style attributes
            "img-src 'self' data:",  # Material's icons are data: SVGs in its CSS
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return re.sub(
        r"(<meta charset=[^>]*>)", lambda m: m.group(1) + "\n    " + meta, output, count=1
    )


def _hash(body: str) -> str:
    return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
