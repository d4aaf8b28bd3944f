/*
 * The script of the site root's 404 page (gh-pages/404.js, `course.py root-404`).
 *
 * A URL that is missing goes to the same page in the default version when that version's
 * sitemap.xml lists it (/0.1/en/x/, /0.0/en/x/ or /en/x/ -> /latest/en/x/, with its query
 * and heading);
 * otherwise to the default version's 404 page in the language of the URL (/zh-CN/, /en/)
 * or, for a URL without one, of the browser. Until then, and if neither can be reached,
 * the page shows its own text in that language only.
 */
(() => {
  const html = document.documentElement
  const root = html.dataset.root              // the site's path, with a trailing slash
  const target = `${root}${html.dataset.default}/`
  const prefixes = JSON.parse(html.dataset.prefixes)
  // [browser tag, language], the most specific tag first (locales/<lang>.yml browser_languages)
  const browserTags = JSON.parse(html.dataset.browserTags)
  const here = location.pathname
  const rest = here.startsWith(root) ? here.slice(root.length) : here.replace(/^\//, "")

  /* The language of a path, its first folder a version or not; else the browser's. */
  function language(path) {
    const [, ...inner] = path.split("/")
    for (const candidate of [path, inner.join("/")])
      for (const [lang, prefix] of Object.entries(prefixes))
        if (prefix && candidate.startsWith(prefix))
          return lang
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const t = tag.toLowerCase()
      const hit = browserTags.find(([known]) => t === known || t.startsWith(`${known}-`))
      if (hit) return hit[1]
    }
    return html.dataset.browserFallback  // a language the site has no page in: English
  }

  /* Only this language's text, as the page's language and title. */
  function show(lang) {
    html.lang = lang
    for (const section of document.querySelectorAll("section[lang]")) {
      section.hidden = section.lang !== lang
      if (!section.hidden) document.title = section.dataset.title
    }
  }

  const get = (url, as) => fetch(url).then(r => (r.ok ? r[as]() : null), () => null)

  /* The paths of a version's pages, relative to the version's root (as Material reads it). */
  async function pages(version) {
    const xml = await get(`${version}sitemap.xml`, "text")
    if (!xml) return new Set()
    const doc = new DOMParser().parseFromString(xml, "application/xml")
    const paths = [...doc.querySelectorAll("url > loc")]
      .map(loc => new URL(loc.textContent.trim(), location.href).pathname)
    if (!paths.length) return new Set()
    const base = paths.reduce((a, b) => {
      let i = 0
      while (i < a.length && a[i] === b[i]) i++
      return a.slice(0, i)
    })
    return new Set(paths.map(p => p.slice(base.lastIndexOf("/") + 1)))
  }

  async function main() {
    const lang = language(rest)
    show(lang)
    const versions = (await get(`${root}versions.json`, "json")) || []
    const names = new Set(versions.flatMap(v => [v.version, ...(v.aliases || [])]))
    // a version folder (one that exists, or a number like a removed version's) is dropped
    const [first, ...inner] = rest.split("/")
    const path = names.has(first) || /^v?\d+(\.\d+)*$/.test(first) ? inner.join("/") : rest
    const known = await pages(target)
    const same = [path, `${path}/`, path.replace(/index\.html$/, "")]
      .find(p => known.has(p) && !p.startsWith("/"))
    if (same !== undefined && target + same !== here) {
      location.replace(target + same + location.search + location.hash)
      return
    }
    const page = `${target}${prefixes[lang]}404.html`
    if (page !== here && (await fetch(page, { method: "HEAD" }).then(r => r.ok, () => false)))
      location.replace(page)
  }

  main()
})()
