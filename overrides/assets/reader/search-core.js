/*
 * Reader search: how a query is read and matched against a language index written by
 * hooks/search.py. Shared by the search worker (search-worker.js) and the tests (Node).
 *
 * Text and query are read the same way, character for character:
 *   lower case, full-width ASCII to ASCII, Traditional Han to Simplified (index.chars);
 * then split into terms: a run of Han characters, or a run of other letters and digits.
 * A Han term matches where it occurs in the text (bigram postings find the candidates, so no
 * word segmentation is needed); it also matches in its other regional forms (index.terms:
 * 数据集 on a zh-TW page reads 资料集). A word term matches words that start with it.
 * A section matches when it has every term. If none has all, a Han term not found as typed
 * (a phrase, 监督微调模型) is looked for as its character pairs, most of which must occur;
 * failing that, sections with any term are listed and Material shows the missing terms.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory()
  else root.ReaderSearch = factory()
})(typeof self !== "undefined" ? self : this, function () {
  "use strict"

  const HAN = /\p{Script=Han}/u
  const LETTER = /[\p{L}\p{N}]/u
  const TERMS = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu
  const SNIPPET = 120          /* characters of section text shown in a result */
  const BEFORE = 24            /* of which before the first match */
  const MAX_FORMS = 16         /* regional forms tried per term */

  /* Characters that continue a Latin word (Han does not: 的LoRA starts a word) */
  function isWordChar(ch) {
    return !!ch && LETTER.test(ch) && !HAN.test(ch)
  }

  function escapeHTML(text) {
    return text.replace(/[&<>"']/g, ch => `&#${ch.charCodeAt(0)};`)
  }

  /* The normalising function of an index: same length in, same length out */
  function normaliser(chars) {
    const table = new Map()
    for (let i = 0; i + 1 < chars.length; i += 2)
      table.set(chars[i], chars[i + 1])
    return text => {
      const out = new Array(text.length)
      for (let i = 0; i < text.length; i++) {
        let ch = text[i]
        const low = ch.toLowerCase()
        if (low.length === 1)
          ch = low
        const code = ch.charCodeAt(0)
        if (code >= 0xff01 && code <= 0xff5e)
          ch = String.fromCharCode(code - 0xfee0).toLowerCase()
        out[i] = table.get(ch) || ch
      }
      return out.join("")
    }
  }

  /* Han postings: every character and every pair of neighbours */
  function grams(run) {
    const out = new Set(run)
    for (let i = 0; i + 1 < run.length; i++)
      out.add(run.slice(i, i + 2))
    return out
  }

  function post(map, key, n) {
    let set = map.get(key)
    if (!set)
      map.set(key, set = new Set())
    set.add(n)
  }

  function intersect(sets) {
    if (sets.some(set => !set))
      return new Set()
    const [first, ...rest] = [...sets].sort((a, b) => a.size - b.size)
    return new Set([...first].filter(n => rest.every(set => set.has(n))))
  }

  class Index {
    constructor(data) {
      this.normalise = normaliser(data.chars || "")
      this.variants = new Map(Object.entries(data.terms || {}))
      this.keys = [...this.variants.keys()].sort((a, b) => b.length - a.length)
      this.docs = (data.docs || []).map(doc => ({
        doc,
        fields: [this.normalise(doc.title), this.normalise(doc.text)]
      }))
      this.grams = new Map()
      this.words = new Map()
      this.docs.forEach(({ fields }, n) => {
        for (const field of fields)
          for (const match of field.matchAll(TERMS))
            if (match[1])
              for (const gram of grams(match[1]))
                post(this.grams, gram, n)
            else
              post(this.words, match[2], n)
      })
      this.vocabulary = [...this.words.keys()].sort()
    }

    /* The query as terms: {typed, han, forms} */
    parse(query) {
      const canon = this.normalise(query)
      const terms = new Map()
      for (const match of canon.matchAll(TERMS)) {
        const key = match[0]
        if (terms.has(key))
          continue
        const typed = query.slice(match.index, match.index + key.length)
        terms.set(key, match[1]
          ? { typed, han: true, forms: this.expand(key) }
          : { typed, han: false, forms: key.length > 3 && key.endsWith("s")
            ? [key, key.slice(0, -1)]
            : [key] })
      }
      return [...terms.values()]
    }

    /* A Han term and its regional forms in this index */
    expand(term) {
      const forms = new Set([term])
      for (const key of this.keys) {
        if (!term.includes(key))
          continue
        for (const form of [...forms])
          for (const value of this.variants.get(key))
            if (forms.size < MAX_FORMS && form.includes(key))
              forms.add(form.split(key).join(value))
      }
      return [...forms]
    }

    /* Numbers of the sections that may contain a term */
    candidates(term) {
      const found = new Set()
      for (const form of term.forms) {
        let docs
        if (term.han) {
          const keys = form.length === 1 ? [form] : [...grams(form)].filter(g => g.length === 2)
          docs = intersect(keys.map(key => this.grams.get(key)))
        } else {
          docs = new Set()
          for (let i = lowerBound(this.vocabulary, form); i < this.vocabulary.length; i++) {
            const word = this.vocabulary[i]
            if (!word.startsWith(form))
              break
            for (const n of this.words.get(word))
              docs.add(n)
          }
        }
        for (const n of docs)
          found.add(n)
      }
      return found
    }

    /* Where a term occurs in a section: [[field, start, end, exact, form], ...] */
    occurrences(term, n) {
      const hits = []
      this.docs[n].fields.forEach((field, f) => {
        term.forms.forEach((form, k) => {
          for (let at = field.indexOf(form); at >= 0; at = field.indexOf(form, at + 1)) {
            if (term.han) {
              hits.push([f, at, at + form.length, true, k])
            } else if (!isWordChar(field[at - 1])) {
              let end = at + form.length
              const exact = !isWordChar(field[end])
              while (isWordChar(field[end]))
                end++
              hits.push([f, at, end, exact, k])
            }
          }
        })
      })
      return hits
    }

    /* A section as a result item for the terms, with how many terms it has or lacks */
    score(terms, n) {
      const { doc } = this.docs[n]
      const marks = [[], []]
      const flags = {}
      let score = doc.location.includes("#") ? 0 : 1
      let missing = 0
      for (const [t, term] of terms.entries()) {
        const hits = this.occurrences(term, n)
        const pieces = new Map(hits.map(hit => [hit[4], hit]))
        if (!hits.length || pieces.size < (term.need || 1)) {
          flags[term.typed] = false
          missing++
          continue
        }
        for (const [f, start, end] of term.need ? pieces.values() : [hits[0]])
          flags[(f ? doc.text : doc.title).slice(start, end)] = true
        const exact = (hits.some(hit => hit[3]) ? 1 : 0.6) *
          (term.need ? pieces.size / term.forms.length : 1)
        score += exact * (hits.some(hit => hit[0] === 0) ? 10 : 0)
        score += exact * Math.min(hits.filter(hit => hit[0] === 1).length, 8)
        for (const [field, from, to] of hits)
          marks[field].push([from, to, t])
      }
      return {
        missing,
        found: terms.length - missing,
        item: {
          location: doc.location,
          title: mark(doc.title, marks[0], 0, doc.title.length),
          text: snippet(doc.text, marks[1]),
          score: score / (1 + missing),
          terms: flags
        }
      }
    }

    /* Result items for the sections with all terms, and for those with some */
    match(terms) {
      const found = new Set(terms.flatMap(term => [...this.candidates(term)]))
      const scored = [...found].map(n => this.score(terms, n))
      return {
        complete: scored.filter(entry => entry.missing === 0).map(entry => entry.item),
        partial: scored.filter(entry => entry.found).map(entry => entry.item)
      }
    }

    search(query) {
      const terms = this.parse(query)
      if (!terms.length)
        return { items: [] }

      /* Sections with every term; else, for Han text not found as typed, with most of its
         character pairs; else sections with any term */
      let { complete, partial } = this.match(terms)
      if (!complete.length && terms.some(term => term.han && term.forms[0].length > 2)) {
        const relaxed = this.match(terms.map(term =>
          term.han && term.forms[0].length > 2 ? relax(term) : term))
        complete = relaxed.complete
        partial = partial.length ? partial : relaxed.partial
      }
      const results = complete.length ? complete : partial

      /* Group sections by page, best page first, as Material's result list expects */
      const groups = new Map()
      for (const item of results.sort((a, b) => b.score - a.score)) {
        const page = item.location.split("#")[0]
        if (!groups.has(page))
          groups.set(page, [])
        groups.get(page).push(item)
      }
      for (const [page, items] of groups)
        if (!items.some(item => item.location === page)) {
          const article = this.docs.find(({ doc }) => doc.location === page)
          if (article)
            items.push({
              location: page,
              title: escapeHTML(article.doc.title),
              text: "",
              score: 0,
              terms: {}
            })
        }
      return { items: [...groups.values()] }
    }
  }

  /* A Han term as its character pairs, of which most (60%) must occur */
  function relax(term) {
    const pairs = new Set()
    for (const form of term.forms)
      for (let i = 0; i + 1 < form.length; i++)
        pairs.add(form.slice(i, i + 2))
    return {
      typed: term.typed,
      han: true,
      forms: [...pairs],
      need: Math.ceil((term.forms[0].length - 1) * 0.6)
    }
  }

  function lowerBound(sorted, value) {
    let lo = 0, hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid] < value) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /* HTML of text[from:to] with the given ranges marked (overlapping or touching: one mark) */
  function mark(text, ranges, from, to) {
    const spans = []
    for (const [a, b] of ranges
      .map(([a, b]) => [Math.max(a, from), Math.min(b, to)])
      .filter(([a, b]) => a < b)
      .sort((x, y) => x[0] - y[0]))
      if (spans.length && a <= spans[spans.length - 1][1])
        spans[spans.length - 1][1] = Math.max(spans[spans.length - 1][1], b)
      else
        spans.push([a, b])
    let html = ""
    let at = from
    for (const [a, b] of spans) {
      html += escapeHTML(text.slice(at, a)) + `<mark>${escapeHTML(text.slice(a, b))}</mark>`
      at = b
    }
    return html + escapeHTML(text.slice(at, to))
  }

  /* A short piece of the section text: the one that shows most of the terms, first */
  function snippet(text, ranges) {
    if (!text)
      return ""
    let from = 0
    let best = 0
    for (const [start] of ranges.slice().sort((x, y) => x[0] - y[0]).slice(0, 64)) {
      const at = Math.max(0, start - BEFORE)
      const shown = new Set(ranges
        .filter(([a, b]) => a >= at && b <= at + SNIPPET)
        .map(range => range[2])).size
      if (shown > best) {
        best = shown
        from = at
      }
    }
    for (let i = 0; i < 12 && from > 0 && isWordChar(text[from - 1]) && isWordChar(text[from]); i++)
      from++  /* start at a word */
    if (from > 0 && /[\udc00-\udfff]/.test(text[from]))
      from--
    let to = Math.min(text.length, from + SNIPPET)
    if (to < text.length && /[\udc00-\udfff]/.test(text[to]))
      to++
    return "<p>" + (from > 0 ? "…" : "") + mark(text, ranges, from, to) +
      (to < text.length ? "…" : "") + "</p>"
  }

  return { Index, normaliser, escapeHTML }
})
