// Search for the offline copy of the archive, opened from disk (file://).
// Browsers refuse fetch() there, so the index comes as <script> files that call
// ArchiveSearch.receive(): filters.js at once, then only the word shards and document
// blocks a search needs. Words are folded as archive/offline.py folds them.
// Nothing read from the index (a word, a filter name or value, a file's key) is ever used as
// the key of a plain object, where "__proto__" or "constructor" would mean something else:
// the files hold lists of [key, value] pairs, kept here in Maps. Everything shown on the page
// is set with textContent.
var ArchiveSearch = (function () {
  "use strict";
  var script = document.currentScript;
  var root = script.getAttribute("data-root") || "./";
  var store = { terms: new Map(), docs: new Map(), filters: null };
  var pending = new Map();  // "kind/key" -> the resolve functions of the loads waiting for that file
  var PAGE = 20;
  var shown = PAGE;
  var latest = 0;  // each keystroke starts a search; only the latest may draw its results

  // terms: [[word, [doc, weight, doc, weight, ...]], ...]; docs: [[url, title, kind, date, context], ...];
  // filters: {blockSize, count, dates, shards, filters: [[name, [[value, [doc, ...]], ...]], ...]}.
  function receive(kind, key, data) {
    if (kind === "filters") { store.filters = filtersOf(data); start(); return; }
    if (kind !== "terms" && kind !== "docs") { return; }
    var value = kind === "terms" && data ? new Map(data) : data;
    store[kind].set(key, value);
    var id = kind + "/" + key;
    var done = pending.get(id);
    if (done) { pending.delete(id); done.forEach(function (resolve) { resolve(value); }); }
  }

  function filtersOf(data) {
    return {
      blockSize: data.blockSize, count: data.count, dates: data.dates, shards: data.shards,
      filters: new Map(data.filters.map(function (entry) { return [entry[0], new Map(entry[1])]; }))
    };
  }

  function load(kind, key) {
    if (store[kind].has(key)) { return Promise.resolve(store[kind].get(key)); }
    return new Promise(function (resolve) {
      var id = kind + "/" + key;
      if (pending.has(id)) { pending.get(id).push(resolve); return; }
      pending.set(id, [resolve]);
      var tag = document.createElement("script");
      tag.src = root + "search-index/" + kind + "/" + key + ".js";
      tag.onerror = function () { receive(kind, key, null); };
      document.head.appendChild(tag);
    });
  }

  function wordsOf(text) {
    var folded = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
    return folded.match(/[\p{L}\p{N}_]+/gu) || [];
  }

  function shardFile(word) {
    return Array.from(word).slice(0, 2).map(function (char) {
      return /^[A-Za-z0-9]$/.test(char) ? char : "u" + char.codePointAt(0).toString(16);
    }).join("");
  }

  // Weights of the documents containing `word` (or, for the word being typed, starting with it),
  // as a Map from document number to weight.
  function postingsFor(word, prefix) {
    var file = shardFile(word);
    if (store.filters.shards.indexOf(file) < 0) { return Promise.resolve(new Map()); }
    return load("terms", file).then(function (shard) {
      var found = new Map();
      if (!shard) { return found; }
      shard.forEach(function (pairs, candidate) {
        if (candidate === word || (prefix && candidate.indexOf(word) === 0)) {
          for (var i = 0; i < pairs.length; i += 2) {
            found.set(pairs[i], Math.max(found.get(pairs[i]) || 0, pairs[i + 1] * (candidate === word ? 2 : 1)));
          }
        }
      });
      return found;
    });
  }

  function search(query) {
    var words = wordsOf(query);
    if (!words.length) { return Promise.resolve([]); }
    return Promise.all(words.map(function (word, index) { return postingsFor(word, index === words.length - 1); }))
      .then(function (lists) {
        var scores = lists[0];
        lists.slice(1).forEach(function (list) {
          var next = new Map();
          scores.forEach(function (score, doc) { if (list.has(doc)) { next.set(doc, score + list.get(doc)); } });
          scores = next;
        });
        var results = [];
        scores.forEach(function (score, doc) { results.push({ doc: doc, score: score }); });
        return results;
      });
  }

  // The ticked values, as [filter name, [value, ...]] pairs.
  function selectedFilters() {
    var chosen = new Map();
    document.querySelectorAll("#offline-filters input:checked").forEach(function (box) {
      if (!chosen.has(box.name)) { chosen.set(box.name, []); }
      chosen.get(box.name).push(box.value);
    });
    return Array.from(chosen);
  }

  function passes(doc, chosen) {
    return chosen.every(function (entry) {
      var values = store.filters.filters.get(entry[0]);
      return entry[1].some(function (value) {
        var docs = values && values.get(value);
        return docs !== undefined && docs.indexOf(doc) >= 0;
      });
    });
  }

  function order(results, how) {
    var dates = store.filters.dates;
    results.sort(function (a, b) {
      if (how === "newest" && dates[a.doc] !== dates[b.doc]) { return dates[a.doc] < dates[b.doc] ? 1 : -1; }
      if (how === "oldest" && dates[a.doc] !== dates[b.doc]) { return dates[a.doc] < dates[b.doc] ? -1 : 1; }
      return b.score - a.score || a.doc - b.doc;
    });
    return results;
  }

  function documentOf(number) {
    var block = Math.floor(number / store.filters.blockSize);
    return load("docs", String(block)).then(function (docs) { return docs[number % store.filters.blockSize]; });
  }

  // About 240 characters of `text` around the first word found, as Pagefind's excerpts are.
  function snippet(text, words) {
    var parts = text.split(/(\s+)/);
    var first = parts.findIndex(function (part) {
      return wordsOf(part).some(function (w) { return words.some(function (q) { return w.indexOf(q) === 0; }); });
    });
    var start = 0;
    if (first > 0) {
      var length = 0;
      start = first;
      while (start > 0 && length < 80) { start -= 1; length += parts[start].length; }
    }
    var picked = [];
    var size = 0;
    for (var i = start; i < parts.length && size < 240; i++) { picked.push(parts[i]); size += parts[i].length; }
    var text240 = picked.join("").trim();
    return (start > 0 ? "\u2026 " : "") + text240 + (i < parts.length ? " \u2026" : "");
  }

  function highlighted(text, words) {
    var fragment = document.createDocumentFragment();
    text.split(/(\s+)/).forEach(function (part) {
      var folded = wordsOf(part);
      var hit = folded.length && folded.some(function (w) { return words.some(function (q) { return w.indexOf(q) === 0; }); });
      if (hit) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(part));
      }
    });
    return fragment;
  }

  // Draws the results of one search at once (synchronously), so two searches never interleave.
  function render(results, docs, query) {
    var list = document.getElementById("offline-results");
    var status = document.getElementById("offline-status");
    var more = document.getElementById("offline-more");
    var words = wordsOf(query);
    list.textContent = "";
    status.textContent = query.trim() ? results.length + " result" + (results.length === 1 ? "" : "s") + " for \u201c" + query.trim() + "\u201d" : "";
    more.hidden = results.length <= shown;
    docs.forEach(function (doc) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + doc[0];
        link.className = "result-title";
        link.textContent = doc[1];
        item.appendChild(link);
        if (doc[3]) {
          var date = document.createElement("span");
          date.className = "muted";
          date.textContent = " \u00b7 " + doc[3];
          item.appendChild(date);
        }
        var excerpt = document.createElement("p");
        excerpt.appendChild(highlighted(snippet(doc[4], words), words));
        item.appendChild(excerpt);
        list.appendChild(item);
    });
  }

  function drawFilters() {
    var holder = document.getElementById("offline-filters");
    var names = [["region", "Region"], ["year", "Year"], ["measure", "Measure"], ["claimant", "Claimant"]];
    names.forEach(function (entry) {
      var name = entry[0];
      var values = store.filters.filters.get(name);
      if (!values) { return; }
      var group = document.createElement("details");
      var summary = document.createElement("summary");
      summary.textContent = entry[1];
      group.appendChild(summary);
      Array.from(values.keys()).forEach(function (value, index) {
        var id = "filter-" + name + "-" + index;
        var row = document.createElement("div");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = value;
        box.id = id;
        var label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = value;
        row.appendChild(box);
        row.appendChild(label);
        group.appendChild(row);
      });
      holder.appendChild(group);
    });
  }

  function run() {
    var query = document.getElementById("offline-q").value;
    var how = document.getElementById("offline-order").value;
    var chosen = selectedFilters();
    var ticket = ++latest;
    return search(query).then(function (results) {
      var ordered = order(results.filter(function (r) { return passes(r.doc, chosen); }), how);
      return Promise.all(ordered.slice(0, shown).map(function (r) { return documentOf(r.doc); })).then(function (docs) {
        if (ticket === latest) { render(ordered, docs, query); }
      });
    });
  }

  function start() {
    var form = document.getElementById("offline-search");
    if (!form) { return; }
    document.getElementById("search-needs-js").hidden = true;
    form.hidden = false;
    drawFilters();
    var params = new URLSearchParams(window.location.search);
    var input = document.getElementById("offline-q");
    input.value = params.get("q") || "";
    form.addEventListener("submit", function (event) { event.preventDefault(); shown = PAGE; run(); });
    input.addEventListener("input", function () { shown = PAGE; run(); });
    form.addEventListener("change", function () { shown = PAGE; run(); });
    document.getElementById("offline-more").addEventListener("click", function () { shown += PAGE; run(); });
    input.focus();
    run();
  }

  return { receive: receive, search: search };
})();
