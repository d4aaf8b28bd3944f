"""Links, images and anchors of a page, resolved in every language's site it is shown in."""

from __future__ import annotations

import difflib
import os
import re
import urllib.parse
from pathlib import Path

from llmcourse import chinese, mdtext, pages
from llmcourse.check.report import FileReport
from llmcourse.check.site import Site, key_of, lang_of

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}:")


def is_external(target: str) -> bool:
    """Links to other sites (any scheme, or protocol-relative)."""
    return bool(_SCHEME.match(target)) or target.startswith("//")


def resolve_link(
    site: Site, page: Path, target: str, lang: str, image: bool
) -> tuple[str, str] | None:
    """None when ``target`` (found on ``page``) resolves in ``lang``'s site; else (why, hint)."""
    if not target or is_external(target) or "{{" in target:
        return None
    raw_path, _, fragment = target.partition("#")
    raw_path = raw_path.split("?", 1)[0]
    path = urllib.parse.unquote(raw_path)
    fragment = urllib.parse.unquote(fragment)
    what = "image" if image else "link"
    if path.startswith("/"):
        return (
            f"absolute {what} {target!r} breaks under "
            + ", ".join(f"/{pages.prefix(lang)}" for lang in pages.LANGS if pages.prefix(lang))
            + " and version folders",
            "use a path relative to this page",
        )
    if not path:
        dest: Path | None = page
        rel = page.relative_to(site.root).as_posix()
        shown = rel
    else:
        joined = os.path.normpath(os.path.join(page.parent.relative_to(site.root), path))
        rel = Path(joined).as_posix()
        if rel == ".." or rel.startswith("../"):
            return f"{what} {target!r} points outside the docs folder", "link inside docs/"
        shown = rel
        if raw_path.endswith("/") or (site.root / rel).is_dir():
            rel = f"{rel.rstrip('/')}/index.md" if rel != "." else "index.md"
        key, ext = key_of(rel)
        if ext in pages.EXTENSIONS:
            named = pages.language_of(rel)  # the language the link's file name says
            if named not in chinese.SCRIPTS:
                literal = site.root / rel
                dest = literal if literal.is_file() else None
            elif named != pages.DEFAULT:
                dest = site.chinese_source(key, ext)  # a source or generated from one
            else:
                dest = site.page_for(key, ext, lang)
            if dest is None:
                looked = ", ".join(pages.chinese_names(key, ext)) + (
                    f", {pages.file_name(key, ext, lang)}" if lang not in chinese.SCRIPTS else ""
                )
                return (
                    f"broken {what}: {target!r} has no page (looked for {looked})",
                    "fix the path or create the page",
                )
            if ext == "ipynb":
                return None  # notebook anchors are mkdocs-jupyter's
        else:
            literal = site.root / rel
            # mkdocs-static-i18n's localized file (image.en.png), for a translation's site
            localized = (
                site.root / pages.file_name(rel.rsplit(".", 1)[0], ext, lang) if ext else None
            )
            if literal.is_file() or (
                lang not in chinese.SCRIPTS and localized and localized.is_file()
            ):
                return None
            kind = "missing image" if image else "broken link"
            return f"{kind}: {shown} does not exist", "add the file or fix the path"
    if not fragment or dest is None:
        return None
    ids = site.anchors(dest)
    if fragment in ids:
        return None
    from llmcourse import toc

    dest_rel = dest.relative_to(site.root).as_posix()
    slug = toc.title_id(fragment)
    if slug in ids:
        hint = f"anchors are slugs (one form for zh-TW and zh-CN): use #{slug}"
    else:
        close = difflib.get_close_matches(fragment, ids, 1)
        hint = f"use #{close[0]}" if close else "link to one of the page's headings"
    if lang not in chinese.SCRIPTS and lang_of(page) != lang:
        return (
            f"broken anchor in the {pages.language(lang).name} site (which shows this Chinese"
            f" page): the link goes to {dest_rel}, which has no anchor #{fragment}",
            "link without the anchor, or translate this page",
        )
    return f"broken anchor: {dest_rel} has no heading with anchor #{fragment}", hint


def check_links(
    site: Site, page: Path, body: str, first: int, lang: str, report: FileReport
) -> None:
    """Every relative link of a page resolves in the site(s) the page is shown in."""
    langs = [lang]
    key, ext = key_of(page.relative_to(site.root).as_posix())
    if lang in chinese.SCRIPTS:  # the sites of the translations it is the fallback of (en)
        langs += [t for t in pages.TRANSLATIONS if site.translation(key, ext, t) is None]
    for link in mdtext.links(body, first, nested=True):
        for shown_in in langs:
            problem = resolve_link(site, page, link.target, shown_in, link.image)
            if problem is not None:
                report.add(link.line, link.col, *problem, kind="link")
                break
