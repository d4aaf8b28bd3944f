/*
 * Opens and closes the site's search box (overrides/partials/search.html); what runs it,
 * search-ui.js beside this file, is imported when the reader first opens it (or arrives from
 * a result, to mark the query), so no other page view loads it. Keys: / or s opens search,
 * Esc closes it.
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

  function set(open) {
    if (toggle.checked !== open) {
      toggle.checked = open
      toggle.dispatchEvent(new Event("change"))
    }
    open ? input.focus() : input.blur()
  }

  input.addEventListener("focus", () => {
    set(true)
    start()
  })
  toggle.addEventListener("change", () => toggle.checked && input.focus())
  dialog.querySelector("form").addEventListener("submit", ev => ev.preventDefault())
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
      set(false)
    } else if (!typing && (ev.key === "/" || ev.key === "s" || ev.key === "S")) {
      ev.preventDefault()
      set(true)
    }
  })
})()
