"""Text a page carries from locales/: its translation notices, and the locale text its front
matter asks for (`locale_text`), placed in the page's Markdown.

A page asks for a block of locales/<lang>.yml, in the reader's language, with
`locale_text: {block: <name>, at: intro}` (before its first `##` heading) or `at: end`. The
home page carries the "how to use this site" section so (`home_howto`), the credits page its
authors and licence (`credits`): every language's file of the page says so, the generated
other-script page keeps its source's front matter.
"""

from __future__ import annotations

from mkdocs.theme import Theme

from llmcourse import locales, pages, partials

#: A translation's notice (:func:`notice`)
NOTICE = "partials/notice.html"
#: The front-matter key a page asks for a locale text with
KEY = "locale_text"
#: Where the text goes: before the first `##` heading (or at the end), or at the end
PLACES = ("intro", "end")


def locale_text(meta: dict, lang: str) -> tuple[str, str] | None:
    """(the text, where it goes) that the front matter `meta` asks for; None if it asks none.

    Raises ValueError when the request is not `{block: <name>, at: intro|end}` naming a text
    of locales/<lang>.yml.
    """
    request = meta.get(KEY)
    if request is None:
        return None
    if not isinstance(request, dict) or set(request) != {"block", "at"}:
        raise ValueError(f"front matter {KEY} must be {{block: <name>, at: intro|end}}")
    block, at = str(request["block"]), str(request["at"])
    if at not in PLACES:
        raise ValueError(f"front matter {KEY}: at must be one of {', '.join(PLACES)}, not {at!r}")
    text = locales.load(lang).get(block)
    if not isinstance(text, str):
        raise ValueError(f"front matter {KEY}: locales/{lang}.yml has no text {block!r}")
    return text, at


def add_locale_text(markdown: str, text: str, at: str) -> str:
    """The page's Markdown with a locale text at its place (locale_text)."""
    return before_first_h2(markdown, text) if at == "intro" else at_end(markdown, text)


def notice(theme: Theme, lang: str, kind: str, href: str) -> str:
    """A warning admonition in the reader's language that links to the Chinese source page at
    `href` (relative to the page); `kind`: a text of locales/<lang>.yml `notices`. Its HTML is
    the theme's NOTICE partial."""
    return (
        partials.render(
            theme,
            NOTICE,
            text=locales.text(lang, "notices", kind),
            link=locales.text(lang, "notices", "source_link"),
            href=href,
            source_lang=pages.DEFAULT,
        )
        + "\n"
    )


def after_title(markdown: str, block: str) -> str:
    """Insert a block after the page's H1 (or at the top when it has none)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: i + 1], "", block, *lines[i + 1 :]])
    return block + "\n" + markdown


def before_first_h2(markdown: str, block: str) -> str:
    """Insert a block before the page's first H2 (or at the end)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("## "):
            return "\n".join([*lines[:i], block, "", *lines[i:]])
    return at_end(markdown, block)


def at_end(markdown: str, block: str) -> str:
    """Append a block to the page."""
    return markdown.rstrip() + "\n\n" + block
