/*
 * Opens and closes the site's search box (overrides/partials/search.html); what runs it,
 * search-ui.js beside this file, is imported when the reader first opens it (or arrives from
 * a result, to mark the query), so no other page view loads it. Keys: / or s opens search,
 * Esc closes it and gives the focus back to where it was; Tab out of the box closes it too (the
 * page under the overlay is not where a keyboard should be). A button marked
 * data-reader-search-open (the 404 page's) opens it.
 */
"use strict"

;(() => {
  const here = document.currentScript.src
  let ui = null
  const start = () => ui || (ui = import(new URL("search-ui.js", here).href).catch(err => {
    ui = null
    console.warn("Search unavailable:", err)
  }))
  if (new URLSearchParams(location.search).has("pagefind-highlight"))
    start()

  const dialog = document.querySelector("[data-reader-search]")
  const toggle = document.getElementById("__search")
  if (!dialog || !toggle)
    return
  const input = dialog.querySelector("input[name=query]")
  let before = null  // what had the focus when search opened

  function set(open) {
    if (open && !toggle.checked && document.activeElement !== input)
      before = document.activeElement
    if (toggle.checked !== open) {
      toggle.checked = open
      toggle.dispatchEvent(new Event("change"))
    }
    open ? input.focus() : input.blur()
  }

  function close() {
    set(false)
    if (before instanceof HTMLElement && before !== document.body && before.isConnected)
      before.focus()
    before = null
  }

  input.addEventListener("focus", ev => {
    if (!toggle.checked)
      before = ev.relatedTarget
    set(true)
    start()
  })
  toggle.addEventListener("change", () => toggle.checked && input.focus())
  dialog.querySelector("form").addEventListener("submit", ev => ev.preventDefault())
  dialog.addEventListener("focusout", ev => {
    if (toggle.checked && ev.relatedTarget instanceof Node && !dialog.contains(ev.relatedTarget))
      set(false)
  })
  for (const button of document.querySelectorAll("[data-reader-search-open]"))
    button.addEventListener("click", () => set(true))
  dialog.querySelector(".reader-search__results").addEventListener("click", ev => {
    if (ev.target instanceof Element && ev.target.closest("a"))
      set(false)  // a result on this page (its #heading) must not stay behind the dialog
  })
  document.addEventListener("keydown", ev => {
    if (ev.metaKey || ev.ctrlKey || ev.altKey)
      return
    const target = ev.target
    const typing = target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
    if (ev.key === "Escape" && toggle.checked) {
      ev.preventDefault()
      close()
    } else if (!typing && (ev.key === "/" || ev.key === "s" || ev.key === "S")) {
      ev.preventDefault()
      set(true)
    }
  })
})()
