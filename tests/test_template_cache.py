"""Theme templates compiled once (llmcourse.template_cache): a compiled template is used only
by what compiled it the same way."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from llmcourse import template_cache


def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": "<p>{{ title }}</p>"}))
    env.bytecode_cache = template_cache.Cache(folder)
    return env


def test_a_template_compiled_by_another_jinja_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jinja checks only its bytecode format's number and Python's version: the code another
    # Jinja compiled (its runtime's helpers, its escaping) would run on this one
    env = _environment(tmp_path)
    assert env.get_template("page.html").render(title="t") == "<p>t</p>"
    source = "<p>{{ title }}</p>"
    bucket = env.bytecode_cache.get_bucket(env, "page.html", None, source)  # type: ignore[union-attr]
    assert bucket.code is not None  # the same Jinja: from the cache
    monkeypatch.setattr(jinja2, "__version__", "0.0.1")
    env = _environment(tmp_path)
    bucket = env.bytecode_cache.get_bucket(env, "page.html", None, source)  # type: ignore[union-attr]
    assert bucket.code is None


def test_a_template_compiled_by_another_lexer_setting_is_compiled_again(tmp_path: Path) -> None:
    # keep_trailing_newline, newline_sequence, the delimiters and async mode change the code
    source = "<p>{{ title }}</p>\n"
    templates = jinja2.DictLoader({"page.html": source})
    plain = jinja2.Environment(loader=templates)
    plain.bytecode_cache = template_cache.Cache(tmp_path)
    assert plain.get_template("page.html").render(title="t") == "<p>t</p>"
    keeping = jinja2.Environment(loader=templates, keep_trailing_newline=True)
    keeping.bytecode_cache = template_cache.Cache(tmp_path)
    assert keeping.get_template("page.html").render(title="t") == "<p>t</p>\n"


def test_a_theme_folder_listed_twice_is_walked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mkdocs-static-i18n puts its sitemap folder in theme.dirs once more in each language
    # build: the language builds inside one site build still reuse the first one's walk
    from mkdocs.theme import Theme

    folder = tmp_path / "overrides"
    folder.mkdir()
    (folder / "main.html").write_text("{{ page.title }}", encoding="utf-8")
    walked: list[list[str]] = []
    walk = jinja2.FileSystemLoader.list_templates

    def counted(loader: jinja2.FileSystemLoader) -> list[str]:
        walked.append(list(loader.searchpath))
        return walk(loader)

    monkeypatch.setattr(jinja2.FileSystemLoader, "list_templates", counted)
    theme = Theme(name=None, custom_dir=str(folder))
    template_cache.list_once(theme, fresh=True)
    first = theme.get_env().list_templates()
    theme.dirs.insert(0, str(folder))
    template_cache.list_once(theme, fresh=False)
    assert theme.get_env().list_templates() == first
    assert walked == [[str(folder), *theme.dirs[2:]]]
    assert "main.html" in first
