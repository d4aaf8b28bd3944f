"""The copy of a Chinese page that Pagefind indexes (llmcourse.search.han_characters_apart):
each Han character a word of its own, and white space the page has beside one kept as a word
(KEPT_SPACE) that search-ui.js shows as a space (test_search_results shows it in a browser)."""

from __future__ import annotations

import pytest

from llmcourse.search import KEPT_SPACE as K
from llmcourse.search import han_characters_apart

CASES = [
    ("資料集", "資 料 集"),
    ("<p>統計 陳希孺</p>", f"<p>統 計 {K} 陳 希 孺</p>"),  # white space the text has
    ("用LLM整理", "用 LLM 整 理"),  # beside Latin letters
    ("使用 LLM 的", f"使 用 {K} LLM {K} 的"),
    ("計，陳《書》", "計 ， 陳 《 書 》"),  # beside punctuation
    ("<b>粗</b>體", "<b>粗</b> 體"),  # only tags between them
    ("<a>計 </a><b>陳</b>", f"<a>計 </a><b>{K} 陳</b>"),  # white space, then tags
    ("<a>計</a>\n<b>陳</b>", f"<a>計</a>\n<b>{K} 陳</b>"),
    ('<a title="資料">x</a>', '<a title="資料">x</a>'),  # never inside a tag
    ("&lt;中", "&lt; 中"),
    ("plain English text", "plain English text"),
    (f"字{K}詞", "字 詞"),  # the page's own (invisible) word joiner is not shown as a space
]


@pytest.mark.parametrize(("html", "indexed"), CASES)
def test_han_characters_apart(html: str, indexed: str) -> None:
    assert han_characters_apart(html) == indexed
