"""Which file in the repository a contributor changes to change a page, and its edit link.

Every Chinese page has one source, in the script its author wrote; the page in the other
script is made from it at build time (llmcourse.convert). An English page is its own .en
file, or, while there is none, the Chinese source shown as it is (a fallback). So a page's
"edit this page" link goes to:

- its own file (``own``);
- the source in the other script, for a page made by conversion (``generated``);
- the Chinese source, for an English page (any language's that is not a Chinese script)
  that is not translated yet (``fallback``), where the file to add is named too.

The repository is the one the deploy workflow publishes from (mkdocs.yml
``extra.notebooks.github``, set from NOTEBOOKS_GITHUB, as for "Open in Colab"). Local builds
leave the OWNER/REPO placeholder: the repository is unknown and no page gets a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llmcourse import chinese
from llmcourse.pages import file_name, language_of, page_key, source_file

OWN, GENERATED, FALLBACK = "own", "generated", "fallback"


@dataclass(frozen=True)
class SourceLink:
    """Where to edit one page of one language."""

    kind: str  # OWN, GENERATED or FALLBACK
    path: str  # the file to change, relative to the repository root
    url: str  # GitHub's editor for it
    source_lang: str  # the language of that file: zh-TW, zh-CN or en
    new_path: str | None = None  # for FALLBACK: the file that would translate it (.en.md)


def repository(extra: dict) -> tuple[str, str] | None:
    """(owner/name, branch) of the GitHub repository, or None while it is unknown."""
    settings = extra.get("notebooks") or {}
    repo = str(settings.get("github") or "").strip()
    if repo in UNKNOWN or repo.count("/") != 1 or not all(repo.split("/")):
        return None
    return repo, str(settings.get("branch") or "main")


def for_page(
    docs: Path, root: Path, src_uri: str, lang: str, repo: tuple[str, str] | None
) -> SourceLink | None:
    """The edit link of the page built from `src_uri` in language `lang`, if any."""
    if repo is None:
        return None
    found = source_file(docs, src_uri)
    if found is None:
        return None  # a page made by a hook, with no file behind it
    rel = found.relative_to(docs).as_posix()
    path = repository_path(found, docs, root)
    url = EDIT.format(repo=repo[0], branch=repo[1], path=path)
    source_lang = language_of(rel)
    if lang not in chinese.SCRIPTS and source_lang != lang:
        key, ext = page_key(rel), rel.rsplit(".", 1)[-1]
        new = repository_path(docs / file_name(key, ext, lang), docs, root)
        return SourceLink(FALLBACK, path, url, source_lang, new)
    kind = GENERATED if source_lang != lang else OWN
    return SourceLink(kind, path, url, source_lang)


def repository_path(path: Path, docs: Path, root: Path) -> str:
    """A docs/ file's path from the repository root (docs/ itself when outside it)."""
    resolved = path.resolve() if path.exists() else path.parent.resolve() / path.name
    if resolved.is_relative_to(root.resolve()):
        return resolved.relative_to(root.resolve()).as_posix()
    return Path(docs.name, path.relative_to(docs)).as_posix()


# ---------------------------------------------------------------------------------------------
# Data

EDIT = "https://github.com/{repo}/edit/{branch}/{path}"
#: values of extra.notebooks.github that name no repository
UNKNOWN = {"", "OWNER/REPO"}
