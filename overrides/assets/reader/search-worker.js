/*
 * Search worker behind Material's search box (hooks/search.py puts its URL in the page's
 * __config). It speaks Material's worker protocol and searches the index of the page's
 * language, named by the `index` parameter of its own URL relative to the site root, which
 * is two folders up from this file: it works from any folder the site is served under.
 */
"use strict"

importScripts("search-core.js")

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
const SOURCE = /^(?:[A-Za-z-]+\/)?search\/search_index\.[A-Za-z-]+\.json$/

const ready = (async () => {
  const name = new URL(self.location.href).searchParams.get("index") || ""
  try {
    if (!SOURCE.test(name))
      throw new Error(`not a search index: ${name}`)
    const response = await fetch(new URL(name, new URL("../../", self.location.href)))
    if (!response.ok)
      throw new Error(`${response.status} ${response.statusText}`)
    return new self.ReaderSearch.Index(await response.json())
  } catch (err) {
    console.warn("Search index unavailable:", err)
    return new self.ReaderSearch.Index({ docs: [] })
  }
})()

addEventListener("message", async ({ data: message }) => {
  const index = await ready
  switch (message.type) {
    case SETUP:
      postMessage({ type: READY })
      break
    case QUERY:
      postMessage({ type: RESULT, data: index.search(String(message.data || "")) })
      break
  }
})
