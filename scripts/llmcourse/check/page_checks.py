"""All checks of one Markdown page, and those of its sources: conversion, regional words, parity."""

from __future__ import annotations

from pathlib import Path

from llmcourse import chinese, emoji_check, guard, mdspans, mdtext, pages, parity, rules
from llmcourse.check.encoding import check_encoding, check_text_damage
from llmcourse.check.front_matter import check_front_matter, front_matter_marks
from llmcourse.check.links import check_links
from llmcourse.check.report import FileReport, split_located
from llmcourse.check.site import Site, key_of, lang_of
from llmcourse.check.structure import check_structure
from llmcourse.check.time_limits import STEP_SECONDS, CheckTimeout, time_limit
from llmcourse.check.unsafe import check_unsafe, masked_text
from llmcourse.toc import anchors


def check_conversion(text: str, lang: str, report: FileReport) -> None:
    """The conversion of a Chinese source keeps protected spans and heading anchors."""
    from llmcourse import convert

    to = chinese.other(lang)
    try:
        with time_limit(STEP_SECONDS, f"the conversion audit to {to}"):
            audit = convert.audit_markdown(text, to, source=report.path)
            rendered = convert.render_page(text, lang, source=report.path)
    except convert.ConversionRuleError as exc:
        line, col, message = split_located(str(exc), report.path)
        if isinstance(exc, rules.TableError):
            line, col = rules.table_place(text, exc)
        report.add(
            line,
            col,
            f"conversion rule: {message}",
            "fix the -{…}- marker or the conversion: table (locales/glossary/README.md)",
        )
        return
    except CheckTimeout as exc:
        report.add(
            1,
            1,
            f"{exc}: the page's markup is too unusual to convert safely",
            "split the page or simplify its markup",
        )
        return
    except (RecursionError, ValueError, IndexError, KeyError) as exc:
        report.add(
            1,
            1,
            f"the conversion to {to} fails on this page ({type(exc).__name__}: {exc})",
            "report the page to the conversion maintainers",
        )
        return
    for mismatch in audit.protected_mismatches:
        if not report.add(
            mismatch.line,
            mismatch.col,
            f"conversion to {to} would change text it must keep: {mismatch.message()}",
            "protect the text with -{…}- or report the case to the conversion maintainers",
            kind="conversion",
        ):
            break
    src_ids = anchors(rendered)
    out_ids = anchors(audit.output)
    if src_ids != out_ids:
        try:
            _, body, skipped = mdtext.split_front_matter(text)
        except mdtext.FrontMatterError:
            body, skipped = text, 0
        heads = mdtext.headings(body, skipped + 1, rendered=True)
        for k, (a, b) in enumerate(zip(src_ids, out_ids, strict=False)):
            if a != b and k < len(heads):
                report.add(
                    heads[k].line,
                    1,
                    f"heading anchor differs between scripts: #{a} in {lang}, #{b} in {to}",
                    "add an explicit id: ## Title {#some-id}",
                    kind="anchor",
                )


def check_regional(
    text: str, lang: str, report: FileReport, marks: dict[tuple[str, ...], tuple[int, int]]
) -> None:
    """Words of the other region in a Chinese source, and stale ``regional:`` entries."""
    from llmcourse import regional

    where = marks.get((regional.FRONT_MATTER_KEY,), (2, 1))
    try:
        hits, stale = regional.find(text, lang)
    except regional.TableError as exc:
        report.add(1, 1, f"the regional vocabulary cannot be read: {exc}", "fix that file")
        return
    except regional.RegionalError as exc:
        if exc.index is not None:
            where = marks.get((regional.FRONT_MATTER_KEY, str(exc.index)), where)
        report.add(
            *where, str(exc), "write regional: [數據, 《書名》], the strings kept as written"
        )
        return
    except mdspans.RuleError:
        return  # reported by the conversion check
    for hit in hits:
        if not report.add(
            hit.line,
            hit.col,
            hit.message(lang),
            f"write {hit.suggestion} (python scripts/course.py convert --normalize FILE), or keep "
            f"a deliberate use in front matter: regional: [{hit.found}]",
            kind="regional vocabulary",
        ):
            break
    for index in stale:
        report.add(
            *marks.get((regional.FRONT_MATTER_KEY, str(index)), where),
            f"regional[{index}] keeps nothing on this page",
            "remove the entry",
        )


def check_parity(site: Site, en_page: Path, zh_page: Path, report: FileReport) -> None:
    """Differences of a translation (an English page) from its Chinese source not declared
    intentional."""
    en_text, zh_text = site.text(en_page), site.text(zh_page)
    if en_text is None or zh_text is None:
        return
    try:
        meta, _, _ = mdtext.split_front_matter(en_text)
    except mdtext.FrontMatterError:
        meta = {}
    diffs = parity.compare(zh_text, en_text, lang_of(en_page))
    declared, errors = parity.validate(meta)
    zh_rel = zh_page.relative_to(site.root).as_posix()
    for diff in parity.undeclared(diffs, meta):
        report.add(
            diff.line,
            1,
            f"parity with {zh_rel}: {diff.kind}: {diff.message}",
            f'make them match, or declare it: parity: [{{check: {diff.kind}, reason: "…"}}]',
            kind="parity",
        )
    if errors:
        return
    marks = front_matter_marks(en_text)
    kinds = {d.kind for d in diffs}
    for decl in declared:
        if decl.check not in kinds:
            line, col = marks.get(("parity", str(decl.index)), (2, 1))
            report.add(
                line,
                col,
                f"parity[{decl.index}] declares a '{decl.check}' difference from {zh_rel} "
                "that no longer exists",
                "remove the entry",
            )


def page_text(path: Path, report: FileReport) -> str | None:
    """A page's or notebook's text, once the build's own refusals (limits, encoding, front
    matter, nesting, JSON) and check's (a BOM, damaged text) are reported; None if unreadable."""
    data = path.read_bytes()
    if guard.page_problems(data, path.suffix, report) is None:
        return None
    text = check_encoding(data, report)  # adds what only check reports: a BOM
    if text is None:
        return None
    check_text_damage(text, report)
    return text


def check_page(site: Site, page: Path, report: FileReport, parity_done: set[Path]) -> None:
    """All checks of one Markdown page."""
    text = page_text(page, report)
    if text is None:
        return
    for line, col, message, hint in emoji_check.problems(text):
        if not report.add(line, col, message, hint, kind="emoji"):
            break
    lang = lang_of(page)
    meta, body, skipped, marks = check_front_matter(text, report, lang)
    first = skipped + 1
    lines = body.splitlines()
    mask = mdtext.code_mask(lines)
    check_structure(lines, first, mask, report)
    check_unsafe(masked_text(lines, mask), first, report)
    rel = page.relative_to(site.root).as_posix()
    key, ext = key_of(rel)
    zh = site.chinese_source(key, ext)
    if lang not in chinese.SCRIPTS:
        if zh is None:
            report.add(
                1,
                1,
                f"{pages.language(lang).name} page without a Chinese source "
                f"({' or '.join(pages.chinese_names(key, ext))})",
                "add the Chinese page or remove this one",
            )
        else:
            check_parity(site, page, zh, report)
            parity_done.add(page)
    else:
        if zh != page:  # the first source found is another file
            report.add(
                1,
                1,
                f"two Chinese sources: {zh.relative_to(site.root).as_posix()} and {rel}; "
                "the other script is generated at build time",
                "keep one of them",
            )
        else:
            check_conversion(text, lang, report)
        check_regional(text, lang, report, marks)
    check_links(site, page, body, first, lang, report)
