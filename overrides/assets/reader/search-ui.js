/*
 * The site's search box (overrides/partials/search.html) on Pagefind's index (hooks/search.py):
 * a module that search.js imports when the reader first opens search, or arrives from a result.
 *
 * Then it loads Pagefind (pagefind/pagefind.js, its WebAssembly and the index of the page's
 * <html lang>) and, on the Chinese sites, the query tables (pagefind/terms.<lang>.json). A
 * query in the other script or with the other region's term is brought to the site's form
 * first (llmcourse.search.normalise does the same in Python). On the Chinese sites Pagefind
 * indexed each Han character as a word (llmcourse.search._index_copy): a query's Han characters
 * are asked for as words, and a page is a result only where each word of the query (as the
 * browser cuts it, Intl.Segmenter, as Pagefind does) has its characters in a row; a word of one
 * Han character stays with the word beside it (数据库, cut 数据|库, is asked for whole: 库
 * alone is in almost every page). A word the
 * index does not hold, nor begins a word of, finds nothing (Pagefind itself would match it by
 * the longest indexed word it begins with: xyzzy by x). Results link with
 * ?pagefind-highlight=…, and a page opened that way marks the query with
 * pagefind-highlight.js. Opening and closing the box and its keys are search.js's; here:
 * ↓/↑ move through the results, Enter opens the first.
 */
"use strict"

;(() => {
  const dialog = document.querySelector("[data-reader-search]")
  const toggle = document.getElementById("__search")
  const config = document.getElementById("__config")
  if (!config)
    return
  const root = new URL(JSON.parse(config.textContent).base.replace(/\/?$/, "/"), location.href)
  const HIGHLIGHT = "pagefind-highlight"
  /* Results shown at once, and added each time the reader reaches the end of the list: every
     result costs one fragment request, so a query does not fetch what nobody scrolls to. */
  const SHOWN = 5
  const NEAR_END = 48  // px from the bottom of the results where scrolling loads more

  /* A page opened from a result: mark the query in the article. */
  if (new URLSearchParams(location.search).has(HIGHLIGHT))
    import(new URL("pagefind/pagefind-highlight.js", root).href).then(({ default: Highlight }) => {
      new Highlight({
        highlightParam: HIGHLIGHT,
        markContext: "article.md-content__inner",
        markOptions: {
          className: "reader-search-mark",
          exclude: ["pre", "pre *", "[data-search-exclude]", "[data-search-exclude] *"]
        },
        addStyles: false
      })
    }).catch(err => console.warn("Search highlighting unavailable:", err))

  if (!dialog || !toggle)
    return
  const form = dialog.querySelector("form")
  const input = dialog.querySelector("input[name=query]")
  const meta = dialog.querySelector(".md-search-result__meta")
  const list = dialog.querySelector(".reader-search__results")
  const lang = document.documentElement.lang
  const chinese = /^zh-/.test(lang)
  const HAN_CLASS = "[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]"  // search.HAN_BLOCKS
  const HAN = new RegExp(HAN_CLASS, "u")
  const HAN_RUNS = new RegExp(`${HAN_CLASS}+`, "gu")
  /* The text Pagefind indexed of a Chinese page (llmcourse.search.han_characters_apart) has a
     space between a Han character and any other beside it (APART, also across the <mark>s of an
     excerpt), and KEPT_SPACE where the page itself has white space beside a Han character. */
  const MARKS = "(?:</?mark>)*"
  const APART = new RegExp(
    `(?<=${HAN_CLASS}${MARKS}) (?=${MARKS}\\S)|(?<=\\S${MARKS}) (?=${MARKS}${HAN_CLASS})`, "gu")
  const KEPT_SPACE = / ?\u2060 ?/g
  const NOWHERE = "zqxjvk"  // no indexed word goes on with this: Pagefind's fallback shows
  let engine = null
  let latest = 0

  /* Pagefind and the query tables, loaded once, when search first opens. */
  function load() {
    if (engine)
      return engine
    const tables = chinese
      ? fetch(new URL(`pagefind/terms.${lang}.json`, root)).then(r => r.ok ? r.json() : null)
      : Promise.resolve(null)
    engine = Promise.all([
      import(new URL("pagefind/pagefind.js", root).href),
      tables.catch(() => null)
    ]).then(async ([pagefind, data]) => {
      // noWorker: the index is searched on this page's thread, so the first query does not also
      // download pagefind-worker.js (a second copy of the engine, 41 KB).
      await pagefind.options({ highlightParam: HIGHLIGHT, excerptLength: 24, noWorker: true })
      await pagefind.init()
      return { pagefind, read: reader(data) }
    })
    return engine
  }

  /* The query in the site's form: full-width folded, the site's script, the site's terms. */
  function reader(data) {
    const chars = new Map()
    const pairs = data ? Array.from(data.chars) : []
    for (let i = 0; i + 1 < pairs.length; i += 2)
      chars.set(pairs[i], pairs[i + 1])
    const terms = new Map(Object.entries(data ? data.terms : {}))
    const longest = Math.max(0, ...Array.from(terms.keys(), key => Array.from(key).length))
    return query => {
      const text = Array.from(query, ch => {
        const code = ch.codePointAt(0)
        if (code >= 0xff01 && code <= 0xff5e)
          ch = String.fromCodePoint(code - 0xfee0)
        return chars.get(ch) || ch
      })
      const out = []
      for (let i = 0; i < text.length;) {
        let n = Math.min(longest, text.length - i)
        for (; n > 0; n--) {
          const key = text.slice(i, i + n).join("")
          if (terms.has(key)) {
            out.push(terms.get(key))
            break
          }
        }
        if (n === 0) {
          out.push(text[i])
          n = 1
        }
        i += n
      }
      return out.join("")
    }
  }

  /* A query's words: as Pagefind cuts it on this site (Intl.Segmenter on the Chinese sites),
     a word of one Han character joined to the Han word it touches. */
  function words(query) {
    if (!chinese || typeof Intl.Segmenter === "undefined")
      return query.split(/\s+/).filter(Boolean)
    const segmenter = new Intl.Segmenter(lang, { granularity: "word" })
    const one = word => Array.from(word).length === 1 && HAN.test(word)
    const out = []
    let end = -1  // where the last word ended in the query
    for (const { segment, index } of segmenter.segment(query)) {
      if (!segment.trim())
        continue
      const last = out[out.length - 1]
      const touching = last !== undefined && index === end &&
        HAN.test(Array.from(last).pop()) && HAN.test(Array.from(segment)[0])
      if (touching && (one(last) || one(segment)))
        out[out.length - 1] = last + segment
      else
        out.push(segment)
      end = index + segment.length
    }
    return out
  }

  /* The pages that hold a query (already in the site's form), best first. */
  async function find(pagefind, query) {
    const chars = Array.from(query)
    const apart = chinese
      ? chars.map((ch, i) => HAN.test(ch) && HAN.test(chars[i + 1] || "") ? ch + " " : ch).join("")
      : query
    let results = (await pagefind.search(apart)).results
    for (const word of words(query)) {
      for (const run of chinese ? word.match(HAN_RUNS) || [] : []) {
        // its characters in a row (Pagefind's "exact" search)
        const exact = await pagefind.search(`"${Array.from(run).join(" ")}"`)
        const ids = new Set(exact.results.map(r => r.id))
        results = results.filter(r => ids.has(r.id))
      }
      const rest = word.replace(HAN_RUNS, " ").trim()
      if (/[\p{L}\p{N}]/u.test(rest) && !await indexed(pagefind, rest))
        return []
    }
    return results
  }

  /* Whether the index holds a word (its stem), or a word it begins: Pagefind, finding none,
     matches the longest indexed word that the query's word begins with, the same as for the word
     with NOWHERE after it. */
  async function indexed(pagefind, word) {
    if ((await pagefind.search(`"${word}"`)).results.length)
      return true
    const matched = found => found.results.map(r => `${r.id}:${r.words.join(",")}`).join(" ")
    const [plain, beyond] = await Promise.all([word, word + NOWHERE].map(w => pagefind.search(w)))
    return plain.results.length > 0 && matched(plain) !== matched(beyond)
  }

  /* A result's link: the page marks the query's words (not the characters Pagefind was asked). */
  function marking(url, query) {
    const link = new URL(url, location.href)
    link.searchParams.delete(HIGHLIGHT)
    for (const word of words(query))
      link.searchParams.append(HIGHLIGHT, word)
    return link.href
  }

  /* Text (or an excerpt's HTML) of the index as the page has it. */
  function asWritten(text) {
    return chinese ? text.replace(APART, "").replace(KEPT_SPACE, " ").trim() : text
  }

  /* Pagefind's excerpt as text with <mark>s, nothing else of its markup. */
  function excerpt(html, query) {
    const p = document.createElement("p")
    const body = new DOMParser().parseFromString(asWritten(html), "text/html").body
    if (chinese) {
      marked(p, body.textContent, words(query))
      return p
    }
    for (const node of body.childNodes) {
      if (node.nodeName === "MARK") {
        // Pagefind's mark takes the word's punctuation with it ("Guide."): not marked
        const [, word, after] = node.textContent.match(/^(.*?)([\p{P}\s]*)$/su)
        const mark = document.createElement("mark")
        mark.textContent = word
        p.append(mark, after)
      } else {
        p.append(node.textContent)
      }
    }
    return p
  }

  /* On the Chinese sites Pagefind marks every Han character it matched (大[型] for 模型):
     the excerpt marks the query's words where they stand whole, and nothing else. */
  function marked(p, text, found) {
    const lower = text.toLowerCase()
    const folded = lower.length === text.length  // offsets still those of the text
    const haystack = folded ? lower : text
    const needles = found.map(w => folded ? w.toLowerCase() : w).filter(Boolean)
    let i = 0
    for (;;) {
      let at = -1, length = 0
      for (const w of needles) {
        const j = haystack.indexOf(w, i)
        if (j >= 0 && (at < 0 || j < at || (j === at && w.length > length)))
          [at, length] = [j, w.length]
      }
      if (at < 0)
        break
      const mark = document.createElement("mark")
      mark.textContent = text.slice(at, at + length)
      p.append(text.slice(i, at), mark)
      i = at + length
    }
    p.append(text.slice(i))
  }

  function item(page, query) {
    const li = document.createElement("li")
    li.className = "md-search-result__item"
    const sections = (page.sub_results || []).filter(sub => sub.url.includes("#")).slice(0, 3)
    const entries = [{ title: page.meta.title || page.url, url: page.url, excerpt: page.excerpt }]
    for (const sub of sections)
      if (sub.title && sub.title !== entries[0].title)
        entries.push(sub)
    entries.forEach((entry, i) => {
      const a = document.createElement("a")
      a.className = "md-search-result__link"
      a.href = marking(entry.url, query)
      const article = document.createElement("article")
      article.className = "md-search-result__article md-typeset"
      if (i === 0) {
        const icon = document.createElement("div")
        icon.className = "md-search-result__icon md-icon"
        article.append(icon)
      }
      const title = document.createElement(i === 0 ? "h1" : "h2")
      title.textContent = asWritten(entry.title)
      article.append(title, excerpt(entry.excerpt || "", query))
      a.append(article)
      li.append(a)
    })
    return li
  }

  function count(n) {
    const text = n === 0 ? dialog.dataset.none : n === 1 ? dialog.dataset.one : dialog.dataset.other
    return text.replace("#", String(n))
  }

  async function search() {
    const id = ++latest
    offerMore()
    const query = input.value.trim()
    if (!query) {
      meta.textContent = dialog.dataset.placeholder
      list.replaceChildren()
      return
    }
    meta.textContent = dialog.dataset.loading
    const { pagefind, read } = await load()
    const asked = read(query)
    const results = await find(pagefind, asked)
    if (id !== latest)
      return
    const pages = await Promise.all(results.slice(0, SHOWN).map(r => r.data()))
    if (id !== latest)
      return
    meta.textContent = count(results.length)
    list.replaceChildren(...pages.map(page => item(page, asked)))
    list.dataset.query = query  // the query these results answer
    list.dataset.shown = String(list.children.length)
    rest = { id, asked, results, next: SHOWN, busy: false }
    offerMore()
  }

  /* The next results: when the reader scrolls to the end of the list, or asks for them. */
  let rest = null
  const scroller = dialog.querySelector(".md-search__scrollwrap")
  const moreButton = dialog.querySelector(".reader-search__more")

  /* The "more results" button, while this query has results not shown yet. */
  function offerMore() {
    moreButton.hidden = !(rest && rest.id === latest && rest.next < rest.results.length)
  }

  async function more() {
    const batch = rest
    if (!batch || batch.busy || batch.id !== latest || batch.next >= batch.results.length)
      return
    batch.busy = true
    const pages = await Promise.all(
      batch.results.slice(batch.next, batch.next + SHOWN).map(r => r.data()))
    if (batch.id !== latest)
      return
    batch.next += SHOWN
    batch.busy = false
    list.append(...pages.map(page => item(page, batch.asked)))
    list.dataset.shown = String(list.children.length)
    offerMore()
  }

  input.addEventListener("focus", load)
  moreButton.addEventListener("click", () => more().catch(err => console.warn("Search failed:", err)))
  scroller.addEventListener("scroll", () => {
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - NEAR_END)
      more().catch(err => console.warn("Search failed:", err))
  }, { passive: true })
  input.addEventListener("input", () => search().catch(err => console.warn("Search failed:", err)))
  form.addEventListener("submit", () => {  // never sent anywhere: search.js
    const first = list.querySelector("a")
    if (first)
      location.href = first.href
  })
  form.addEventListener("reset", () => {
    latest++
    offerMore()
    meta.textContent = dialog.dataset.placeholder
    list.replaceChildren()
    input.focus()
  })
  dialog.addEventListener("keydown", ev => {
    const links = Array.from(list.querySelectorAll("a"))
    const at = links.indexOf(document.activeElement)
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault()
      const next = ev.key === "ArrowDown" ? at + 1 : at - 1
      if (next < 0)
        input.focus()
      else if (links[Math.min(next, links.length - 1)])
        links[Math.min(next, links.length - 1)].focus()
    }
  })
  /* Opened before this module came: start, and answer what the reader has typed since. */
  if (toggle.checked || document.activeElement === input)
    load()
  if (input.value.trim())
    search().catch(err => console.warn("Search failed:", err))
})()
