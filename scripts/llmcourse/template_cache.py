"""Theme templates compiled once, not once per language build.

MkDocs makes a new Jinja environment for every build, and mkdocs-static-i18n builds the site
once per language: Material's templates were parsed and compiled again each time (about a
third of a second a language). ``Cache`` is a Jinja bytecode cache kept in memory for the
process (the other languages, serve's rebuilds) and in ``.cache/jinja/`` for the next build.
Jinja checks each entry against its template's source, so an edited template is compiled
again; an entry is also keyed by the environment's settings, which change the compiled code,
and by Jinja's version (its own check is of its bytecode format's number and Python's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from mkdocs.theme import Theme

from llmcourse import CACHE as CACHE_ROOT
from llmcourse import partials
from llmcourse.fsio import atomic_write

CACHE = CACHE_ROOT / "jinja"


class Cache(BytecodeCache):
    """Compiled templates by template, environment settings and source checksum."""

    def __init__(self, folder: Path = CACHE) -> None:
        self.folder = folder
        self.memory: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        settings = repr(
            (
                jinja2.__version__,  # Jinja checks only its bytecode format's number
                sorted(environment.extensions),
                environment.autoescape,
                environment.trim_blocks,
                environment.lstrip_blocks,
                environment.optimized,
                environment.line_statement_prefix,
                # what the lexer and the code generator read besides
                environment.line_comment_prefix,
                environment.keep_trailing_newline,
                environment.newline_sequence,
                environment.block_start_string,
                environment.block_end_string,
                environment.variable_start_string,
                environment.variable_end_string,
                environment.comment_start_string,
                environment.comment_end_string,
                environment.is_async,
                getattr(environment.finalize, "__qualname__", environment.finalize),
            )
        )
        key = hashlib.sha256(
            f"{self.get_cache_key(name, filename)}\0{settings}".encode()
        ).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.memory.get(bucket.key)
        if data is None:
            try:
                data = (self.folder / bucket.key).read_bytes()
            except OSError:
                return
        bucket.bytecode_from_string(data)  # a stale or damaged entry leaves the bucket empty

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        self.memory[bucket.key] = data
        try:
            atomic_write(self.folder / bucket.key, data)
        except OSError:
            pass  # a read-only checkout still builds, compiling in every process


SHARED = Cache()


#: The theme's file listings of this site build: (theme folders, filter, static templates) →
#: the names Jinja's loader listed.
_LISTED: dict[tuple, list[str]] = {}


def list_once(theme: Theme, *, fresh: bool) -> None:
    """List the theme's files once per site build, not once per language build.

    Every MkDocs build walks the theme's folders (Material's 14,000 files, its icons among
    them) to copy its static files: a seventh of a second each time. The language builds
    inside one site build see the same folders, so they reuse the first walk; ``fresh`` (the
    first build of a site build, every serve rebuild) walks them again.
    """
    if fresh:
        _LISTED.clear()
    make_env = type(theme).get_env

    def get_env() -> Environment:
        env = make_env(theme)
        walk = env.list_templates

        def list_templates(
            extensions: list[str] | None = None, filter_func: Callable[[str], bool] | None = None
        ) -> list[str]:
            key = (
                partials.folders(theme),
                tuple(extensions or ()),
                getattr(filter_func, "__code__", filter_func),
                tuple(theme.static_templates),
            )
            if key not in _LISTED:
                _LISTED[key] = walk(extensions, filter_func)
            return list(_LISTED[key])

        env.list_templates = list_templates  # type: ignore[method-assign]
        return env

    theme.get_env = get_env  # type: ignore[method-assign]
