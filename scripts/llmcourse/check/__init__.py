"""``course.py check``: every problem of docs/ and locales/, as ``file:line:col: message``.

One command for a maintainer's machine, pre-commit (given the changed files) and CI. Each
problem is printed as ``file:line:col: message (hint: one-line fix)``; the exit status is 1 when
there is any, 0 when there is none, 2 on a usage error (a path that does not exist).

Checks, per file, each family in its own module of this package:

* **encoding** (:mod:`.encoding`) - UTF-8 without byte order mark, no U+FFFD, no mojibake (the
  repair machinery of :mod:`llmcourse.repair` run in check mode), not binary;
* **emoji** - no split ZWJ sequence (🧑 then 🔬 for 🧑‍🔬), no stray variation selector
  (:mod:`llmcourse.emoji_check`);
* **structure** (:mod:`.structure`) - no unclosed code fence, no list or block quote nested
  deeper than :data:`MAX_NESTING` levels (Python-Markdown's recursion gives out), one Chinese
  source per page, no translation (an English page) without a Chinese source;
* **front matter** (:mod:`.front_matter`) - valid YAML, a mapping, only
  :data:`FRONT_MATTER_KEYS`, a valid ``parity`` table (:mod:`llmcourse.parity`);
* **unsafe HTML** outside code (:mod:`.unsafe`) - ``<script>``, ``<iframe>``, ``<object>``,
  ``<embed>``, ``<style>``, ``<form>`` (and ``<frame>``, ``<applet>``, ``<base>``, ``<meta>``,
  ``<link>``), ``on*=`` event attributes, ``javascript:``/``vbscript:``/``data:`` URLs in links
  or attributes;
* **conversion** (:mod:`.page_checks`) - the Chinese source converts to the other script with
  every protected span intact (:func:`llmcourse.convert.audit_markdown`) and the same heading
  anchors;
* **links** (:mod:`.links`, over the docs tree of :mod:`.site`) - every relative link,
  ``#anchor``, image and notebook resolves, in every language the page is shown in (an English
  page's ``other.md`` is ``other.en.md`` or falls back to the Chinese source; a Chinese page
  without an English version is also checked as the English site shows it). Anchors are those
  Python-Markdown's toc extension gives, configured as mkdocs.yml configures it
  (:mod:`llmcourse.toc`). Links to other sites are not fetched;
* **regional vocabulary** (:mod:`.page_checks`) - no mainland word in a zh-TW source, no Taiwan
  word in a zh-CN one (``locales/regional.yml``, :mod:`llmcourse.regional`), unless the page
  keeps it in its front-matter list ``regional:``;
* **parity** (:mod:`.page_checks`) - a translation (an English page) has the headings, links,
  images, tables and code blocks of its Chinese source unless its front matter declares the
  difference (:mod:`llmcourse.parity`, its messages naming the translation's language);
* **locales** (:mod:`.locale_files`) - ``locales/**/*.yml`` are YAML mappings;
  ``locales/glossary/*.txt`` are OpenCC text dictionaries (``key<TAB>value``, no duplicate key,
  no empty value, no spaces);
* **notebooks** (:mod:`.notebooks`) - JSON with a list of cells, nothing that runs script in
  the page.

:mod:`.runner` sorts the files given into these checks, adds the build's own report
(:mod:`llmcourse.build`) and prints the result; :mod:`.report` holds the problems found,
:mod:`.time_limits` the time each file may take.

Every pattern is linear on any input (bounded repetitions, no nested quantifiers over
overlapping classes), so a 5 MB page or a binary file renamed ``.md`` gets an answer in seconds.
"""

from __future__ import annotations

from llmcourse.check.encoding import check_encoding, check_text_damage, decode_page
from llmcourse.check.front_matter import (
    FRONT_MATTER_KEYS,
    check_front_matter,
    front_matter_marks,
)
from llmcourse.check.links import check_links, resolve_link
from llmcourse.check.locale_files import check_glossary, check_yaml_mapping
from llmcourse.check.notebooks import check_notebook
from llmcourse.check.page_checks import check_conversion, check_page, check_parity, check_regional
from llmcourse.check.report import FileReport, Positions, Problem, split_located
from llmcourse.check.runner import collect, command, run_checks
from llmcourse.check.site import Site
from llmcourse.check.structure import MAX_NESTING, check_nesting, check_structure
from llmcourse.check.time_limits import CheckTimeout, time_limit
from llmcourse.check.unsafe import check_unsafe, unsafe_problems
from llmcourse.toc import anchors

__all__ = [
    "FRONT_MATTER_KEYS",
    "MAX_NESTING",
    "CheckTimeout",
    "FileReport",
    "Positions",
    "Problem",
    "Site",
    "anchors",
    "check_conversion",
    "check_encoding",
    "check_front_matter",
    "check_glossary",
    "check_links",
    "check_nesting",
    "check_notebook",
    "check_page",
    "check_parity",
    "check_regional",
    "check_structure",
    "check_text_damage",
    "check_unsafe",
    "check_yaml_mapping",
    "collect",
    "command",
    "decode_page",
    "front_matter_marks",
    "resolve_link",
    "run_checks",
    "split_located",
    "time_limit",
    "unsafe_problems",
]
