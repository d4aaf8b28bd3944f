// Switching language keeps the reader at the same heading: every language of a page has
// the same headings in the same order (the parity check sees to it), so the heading's
// position is carried over; zh-TW and zh-CN even share the anchors. How far the reader was
// into that heading's section goes over too (a chapter with no heading but its title put the
// reader back at the top): the same share of the section, whatever its length there.
(function () {
  "use strict";
  var KEY = "llm-course:heading";
  var LINE = 48;  // px: a heading this far past the header's edge is still the reader's
  var SELECTOR = "article h1[id], article h2[id], article h3[id], " +
                 "article h4[id], article h5[id], article h6[id]";

  function headings() {
    return Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
  }

  function headerBottom() {
    var header = document.querySelector(".md-header");
    return header ? header.getBoundingClientRect().bottom : 0;
  }

  // Where a heading's section starts and ends on the screen (the next heading, or the end of
  // the article).
  function section(list, index) {
    var next = list[index + 1];
    var article = list[index].closest("article");
    return [
      list[index].getBoundingClientRect().top,
      next ? next.getBoundingClientRect().top : article.getBoundingClientRect().bottom
    ];
  }

  // "index:share": the heading of the section at the top of the screen and how far into the
  // section the header's edge is; 0 while the heading is within a line of it (the reader is at
  // the heading).
  function currentPlace() {
    var index = currentIndex();
    if (index < 0) return null;
    var bounds = section(headings(), index);
    var into = headerBottom() - bounds[0];
    var share = into > LINE && bounds[1] > bounds[0] ? into / (bounds[1] - bounds[0]) : 0;
    return index + ":" + Math.min(1, share).toFixed(4);
  }

  // The heading whose section fills the top of the screen: the last one that starts above
  // the header's bottom edge (plus a line). location.hash only says where the reader
  // arrived, not where they scrolled to since; it wins only at the end of the page, where
  // a short last section can never reach the top of the screen.
  function currentIndex() {
    var list = headings();
    var line = headerBottom() + LINE;
    var index = -1;
    list.forEach(function (h, i) {
      if (h.getBoundingClientRect().top <= line) index = i;
    });
    var root = document.documentElement;
    var atEnd = window.scrollY + window.innerHeight >= root.scrollHeight - 2;
    var hash = decodeURIComponent(location.hash.slice(1));
    if (atEnd && hash) {
      list.forEach(function (h, i) {
        var top = h.getBoundingClientRect().top;
        if (h.id === hash && top >= 0 && top <= window.innerHeight) index = i;
      });
    }
    return index;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.md-select__link[hreflang]");
    if (!link) return;
    var place = currentPlace();
    if (place === null) return;
    try {
      sessionStorage.setItem(KEY, place);
    } catch (e) {
      /* storage disabled: the link still works, without the heading */
    }
  });

  function restore() {
    var stored = null;
    try {
      stored = sessionStorage.getItem(KEY);
      sessionStorage.removeItem(KEY);
    } catch (e) {
      return;
    }
    if (stored === null) return;
    var list = headings();
    var index = parseInt(stored, 10);
    var share = parseFloat(stored.split(":")[1]) || 0;
    var target = list[index];
    if (!target) return;
    // the heading's anchor (a heading with an empty id still counts, in every language alike;
    // it has no anchor); the page's title needs none
    if (target.id && target.tagName !== "H1")
      history.replaceState(null, "", "#" + encodeURIComponent(target.id));
    if (!share) {
      target.scrollIntoView();
      return;
    }
    var bounds = section(list, index);
    window.scrollTo(0, window.scrollY + bounds[0] + share * (bounds[1] - bounds[0]) - headerBottom());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
