/*
 * Reading progress, kept in this browser only (localStorage), shared by every language and
 * version of the site because it is stored under language-neutral ids written into the pages
 * at build time (hooks/progress.py, hooks/roadmap.py):
 *
 *   localStorage["llm-course:progress"] = {
 *     "format": "llm-course-progress", "version": 1,
 *     "pages":     { "scientist/evaluation": "2025-01-31T12:00:00.000Z", ... },
 *     "resources": { "arxiv.org/abs/2307.03109": "2025-01-31T12:00:00.000Z", ... }
 *   }
 *
 * The exported file has the same content. Importing merges it with what is stored.
 * UI text comes from the page (#reader-strings, from locales/<lang>.yml `reader.progress`).
 */
(function () {
  "use strict"

  const KEY = "llm-course:progress"
  const FORMAT = "llm-course-progress"
  const ID = /^[^\u0000-\u001f]{1,500}$/

  const stringsElement = document.getElementById("reader-strings")
  if (!stringsElement)
    return
  const text = JSON.parse(stringsElement.textContent)
  const format = (template, values) =>
    template.replace(/\{(\w+)\}/g, (all, name) => name in values ? values[name] : all)

  /* Storage ------------------------------------------------------------------------------ */

  function empty() {
    return { format: FORMAT, version: 1, pages: {}, resources: {} }
  }

  /* A clean progress object from untrusted data, or null */
  function validate(data) {
    if (!data || typeof data !== "object" || data.format !== FORMAT)
      return null
    const clean = empty()
    for (const kind of ["pages", "resources"]) {
      const entries = data[kind]
      if (!entries || typeof entries !== "object" || Array.isArray(entries))
        return null
      for (const [id, when] of Object.entries(entries))
        if (ID.test(id) && typeof when === "string" && !isNaN(Date.parse(when)))
          clean[kind][id] = when
    }
    return clean
  }

  function load() {
    try {
      return validate(JSON.parse(localStorage.getItem(KEY))) || empty()
    } catch (err) {
      return empty()
    }
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(state))
    } catch (err) {
      /* Storage full or disabled: progress lasts for this page only */
    }
  }

  let state = load()

  function toggle(kind, id, done) {
    if (done)
      state[kind][id] = state[kind][id] || new Date().toISOString()
    else
      delete state[kind][id]
    save()
    render()
  }

  /* Page --------------------------------------------------------------------------------- */

  const status = document.getElementById("reader-progress-status")
  const data = JSON.parse(
    document.getElementById("reader-progress-data")?.textContent || '{"sections":{}}'
  )

  function say(message) {
    if (status)
      status.textContent = message
  }

  /* A checkbox before each reference link of a chapter */
  for (const link of document.querySelectorAll("article a[data-reader-resource]")) {
    const box = document.createElement("input")
    box.type = "checkbox"
    box.className = "reader-resource__check"
    box.dataset.readerResource = link.dataset.readerResource
    box.setAttribute("aria-label", format(text.resource, { title: link.textContent.trim() }))
    box.addEventListener("change", () => toggle("resources", box.dataset.readerResource, box.checked))
    link.before(box)
    link.classList.add("reader-resource--checkable")  // the room kept for the box goes
  }

  for (const chapter of document.querySelectorAll(".reader-chapter[data-reader-page]")) {
    const button = chapter.querySelector(".reader-chapter__toggle")
    button.hidden = false
    button.addEventListener("click", () =>
      toggle("pages", chapter.dataset.readerPage, !state.pages[chapter.dataset.readerPage]))
  }

  for (const node of document.querySelectorAll(".reader-roadmap [data-reader-page]"))
    node.dataset.readerLabel = node.getAttribute("aria-label") || ""

  const panel = document.getElementById("reader-progress-panel")
  if (panel)
    panel.hidden = false

  function render() {
    for (const chapter of document.querySelectorAll(".reader-chapter[data-reader-page]")) {
      const done = !!state.pages[chapter.dataset.readerPage]
      const button = chapter.querySelector(".reader-chapter__toggle")
      button.setAttribute("aria-pressed", String(done))
      button.textContent = done ? text.is_done : text.mark_done
      chapter.classList.toggle("is-done", done)
    }
    for (const box of document.querySelectorAll("input.reader-resource__check"))
      box.checked = !!state.resources[box.dataset.readerResource]
    for (const node of document.querySelectorAll(".reader-roadmap [data-reader-page]")) {
      const done = !!state.pages[node.dataset.readerPage]
      node.classList.toggle("is-done", done)
      node.setAttribute("aria-label",
        done ? format(text.done, { label: node.dataset.readerLabel }) : node.dataset.readerLabel)
    }
    for (const row of document.querySelectorAll(".reader-section-progress[data-reader-section]")) {
      const section = data.sections[row.dataset.readerSection]
      if (!section)
        continue
      const chapters = section.chapters.filter(id => state.pages[id]).length
      const resources = section.resources.filter(id => state.resources[id]).length
      const counts = format(text.chapters, { done: chapters, total: section.chapters.length })
      const bar = row.querySelector("progress")
      bar.value = chapters
      bar.setAttribute("aria-label", counts)
      row.querySelector(".reader-section-progress__chapters").textContent = counts
      const refs = row.querySelector(".reader-section-progress__resources")
      if (refs)
        refs.textContent = format(text.resources,
          { done: resources, total: section.resources.length })
      row.classList.toggle("is-done", chapters === section.chapters.length && chapters > 0)
    }
  }

  /* Export, import, clear ------------------------------------------------------------------ */

  document.getElementById("reader-export")?.addEventListener("click", () => {
    const blob = new Blob([JSON.stringify(state, null, 2)], { type: "application/json" })
    const link = document.createElement("a")
    link.href = URL.createObjectURL(blob)
    link.download = `llm-course-progress-${new Date().toISOString().slice(0, 10)}.json`
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(link.href), 10000)
    say(text.exported)
  })

  document.getElementById("reader-import")?.addEventListener("change", async event => {
    const input = event.target
    const [file] = input.files
    input.value = ""
    if (!file)
      return
    let incoming = null
    try {
      incoming = validate(JSON.parse(await file.text()))
    } catch (err) {
      incoming = null
    }
    if (!incoming) {
      say(text.import_error)
      return
    }
    state = load()
    let count = 0
    for (const kind of ["pages", "resources"])
      for (const [id, when] of Object.entries(incoming[kind])) {
        if (!state[kind][id])
          count++
        if (!state[kind][id] || Date.parse(when) < Date.parse(state[kind][id]))
          state[kind][id] = when
      }
    save()
    render()
    say(format(text.imported, { count }))
  })

  document.getElementById("reader-reset")?.addEventListener("click", () => {
    if (!window.confirm(text.reset_confirm))
      return
    state = empty()
    save()
    render()
    say(text.cleared)
  })

  /* Another tab, or this page back from the history cache, may have changed the progress */
  window.addEventListener("storage", event => {
    if (event.key === KEY || event.key === null) {
      state = load()
      render()
    }
  })
  window.addEventListener("pageshow", event => {
    if (event.persisted) {
      state = load()
      render()
    }
  })

  render()
})()
