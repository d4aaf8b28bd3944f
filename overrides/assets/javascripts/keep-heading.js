// Switching language keeps the reader at the same heading: every language of a page has
// the same headings in the same order (the parity check sees to it), so the heading's
// position is carried over; zh-TW and zh-CN even share the anchors.
(function () {
  "use strict";
  var KEY = "llm-course:heading";
  var SELECTOR = "article h1[id], article h2[id], article h3[id], " +
                 "article h4[id], article h5[id], article h6[id]";

  function headings() {
    return Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
  }

  // The heading whose section fills the top of the screen: the last one that starts above
  // the header's bottom edge (plus a line). location.hash only says where the reader
  // arrived, not where they scrolled to since; it wins only at the end of the page, where
  // a short last section can never reach the top of the screen.
  function currentIndex() {
    var list = headings();
    var header = document.querySelector(".md-header");
    var line = (header ? header.getBoundingClientRect().bottom : 0) + 48;
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
    var index = currentIndex();
    if (index < 0) return;
    try {
      sessionStorage.setItem(KEY, String(index));
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
    var target = headings()[parseInt(stored, 10)];
    if (!target) return;
    // (a heading with an empty id still counts, in every language alike; it has no anchor)
    if (target.id) history.replaceState(null, "", "#" + encodeURIComponent(target.id));
    target.scrollIntoView();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
