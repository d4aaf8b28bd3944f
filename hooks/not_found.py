"""The 404 page in each language: 404.html (the default, zh-TW), zh-CN/404.html, en/404.html.

mkdocs-static-i18n renders the theme's 404.html once per language build, each time to the
site root, so the last language built would win. Here each language build gets its text
from locales/<lang>.yml (`not_found`, llmcourse.notfound) and language links to each
language's home page; the default language's page stays at 404.html and the others are
written to their language folder. MkDocs gives error pages absolute links (the path of
site_url, which mike extends with the version), so they work at any URL they are served at.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from llmcourse import notfound, pages, write_if_changed


def on_template_context(context: dict, *, template_name: str, config: MkDocsConfig) -> dict:
    """The 404 page's text and its language links (each language's home page)."""
    if template_name != notfound.PAGE:
        return context
    lang = config.plugins["i18n"].current_language
    context["not_found"] = notfound.text(lang)
    context["not_found_home"] = notfound.home(config.site_url, lang)
    for item in getattr(config.extra, "alternate", None) or []:
        # `link` (the head's hreflang links) and `path` (the language menu's) as set for the
        # last page by hooks/alternates.py: here both go to the language's home page.
        item["link"] = item["path"] = notfound.home(config.site_url, item["lang"])
    return context


@event_priority(-210)  # after hooks/csp.py (-200): the file written carries its policy
def on_post_template(output: str, *, template_name: str, config: MkDocsConfig) -> str:
    """Keep the default language's 404 at the root; write the others to their folder."""
    lang = config.plugins["i18n"].current_language
    if template_name != notfound.PAGE or lang == pages.DEFAULT:
        return output
    write_if_changed(Path(config.site_dir) / pages.prefix(lang) / notfound.PAGE, output)
    return ""  # MkDocs writes no empty template: the root 404.html stays the default's
