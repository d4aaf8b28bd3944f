"""The other Chinese script of every page, made at build time from its one source file."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation

from llmcourse import CACHE as CACHE_ROOT
from llmcourse import chinese, convert, guard, pages, rules, write_if_changed

CACHE = CACHE_ROOT / "variants"
# src_uri of a page made by conversion -> (src_uri of its source, script to make)
VARIANTS: dict[str, tuple[str, str]] = {}
# What the conversions of this build depend on besides each page's text (convert.as_built)
VERSION = ""


@event_priority(-90)  # before mkdocs-static-i18n (-100), so it pairs the variants as alternates
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Declare the missing zh-CN or zh-TW file of each Chinese source page."""
    global VERSION
    VERSION = convert.toolkit_version()
    VARIANTS.clear()
    present = {f.src_uri for f in files}
    for file in list(files):
        script, counterpart = _counterpart(file.src_uri)
        if script is None or counterpart in present:
            continue
        VARIANTS[counterpart] = (file.src_uri, chinese.other(script))
        variant = File(counterpart, config.docs_dir, config.site_dir, config.use_directory_urls)
        if type(file) is not File:
            # A wrapped source (mkdocs-jupyter's notebooks) gets the same wrapper, so that
            # i18n gives the variant a page URL and pairs it with its source.
            variant = type(file)(variant, **config)
        files.append(variant)
    return files


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    """Give each Chinese page of this language build its text in its own script."""
    # Runs after mkdocs-static-i18n has chosen this language's files and before pages are read.
    docs = Path(config.docs_dir)
    for file in files:
        if file.src_uri in VARIANTS:
            source, script = VARIANTS[file.src_uri]
            try:
                text = _convert(source, (docs / source).read_text(encoding="utf-8"), script)
            except convert.ConversionRuleError as exc:
                raise _rule_error(config, source, exc) from exc
            if file.src_uri.endswith(".ipynb"):
                # mkdocs-jupyter reads notebooks from disk: give it a real converted file.
                file.abs_src_path = str(write_if_changed(CACHE / file.src_uri, text))
            else:
                file.content_string = text
        else:
            script, _ = _counterpart(file.src_uri)
            # Setting content drops abs_src_path, which mkdocs-jupyter reads notebooks from.
            if script is not None and not file.src_uri.endswith(".ipynb"):
                text = (docs / file.src_uri).read_text(encoding="utf-8")
                try:
                    file.content_string = convert.as_built(
                        "render", text, script, source=file.src_uri, version=VERSION
                    )
                except convert.ConversionRuleError as exc:
                    raise _rule_error(config, file.src_uri, exc) from exc
    return nav


def _rule_error(config: MkDocsConfig, src_uri: str, exc: Exception) -> PluginError:
    """A conversion-rule error at its page's file:line:col (the conversion: table's item)."""
    path = Path(config.docs_dir) / src_uri
    line, col = rules.table_place(path.read_text(encoding="utf-8"), exc)
    root = Path(config.config_file_path or config.docs_dir).parent
    return PluginError(f"{guard.display(path, root)}:{line}:{col}: conversion rules: {exc}")


def _counterpart(src_uri: str) -> tuple[str | None, str]:
    """(script of a Chinese source, src_uri of its other-script page); (None, '') otherwise."""
    if not pages.LANGUAGE_FILE.search(src_uri):
        return None, ""  # not a page
    script = pages.language_of(src_uri)
    if script not in chinese.SCRIPTS or chinese.other(script) not in pages.LANGS:
        return None, ""
    key, ext = pages.page_key(src_uri), src_uri.rsplit(".", 1)[-1]
    return script, pages.file_name(key, ext, chinese.other(script))


def _convert(src_uri: str, text: str, script: str) -> str:
    how = "notebook" if src_uri.endswith(".ipynb") else "markdown"
    return convert.as_built(how, text, script, source=src_uri, version=VERSION)
