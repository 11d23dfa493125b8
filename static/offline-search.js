// Search for the offline copy of the archive, opened from disk (file://).
// Browsers refuse fetch() there, so the index comes as <script> files that call
// ArchiveSearch.receive(): filters.js at once, then only the word shards and document
// blocks a search needs. Words are folded as archive/offline.py folds them.
var ArchiveSearch = (function () {
  "use strict";
  var script = document.currentScript;
  var root = script.getAttribute("data-root") || "./";
  var store = { terms: {}, docs: {}, filters: null };
  var pending = {};
  var PAGE = 20;
  var shown = PAGE;
  var latest = 0;  // each keystroke starts a search; only the latest may draw its results

  function receive(kind, key, data) {
    if (kind === "filters") { store.filters = data; start(); return; }
    store[kind][key] = data;
    var done = pending[kind + "/" + key];
    if (done) { done.forEach(function (resolve) { resolve(data); }); delete pending[kind + "/" + key]; }
  }

  function load(kind, key) {
    if (store[kind][key] !== undefined) { return Promise.resolve(store[kind][key]); }
    return new Promise(function (resolve) {
      var id = kind + "/" + key;
      if (pending[id]) { pending[id].push(resolve); return; }
      pending[id] = [resolve];
      var tag = document.createElement("script");
      tag.src = root + "search-index/" + kind + "/" + key + ".js";
      tag.onerror = function () { store[kind][key] = null; receive(kind, key, null); };
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

  // Weights of the documents containing `word` (or, for the word being typed, starting with it).
  function postingsFor(word, prefix) {
    var file = shardFile(word);
    if (store.filters.shards.indexOf(file) < 0) { return Promise.resolve({}); }
    return load("terms", file).then(function (shard) {
      var found = {};
      Object.keys(shard || {}).forEach(function (candidate) {
        if (candidate === word || (prefix && candidate.indexOf(word) === 0)) {
          var pairs = shard[candidate];
          for (var i = 0; i < pairs.length; i += 2) {
            found[pairs[i]] = Math.max(found[pairs[i]] || 0, pairs[i + 1] * (candidate === word ? 2 : 1));
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
          var next = {};
          Object.keys(scores).forEach(function (doc) { if (list[doc]) { next[doc] = scores[doc] + list[doc]; } });
          scores = next;
        });
        return Object.keys(scores).map(function (doc) { return { doc: Number(doc), score: scores[doc] }; });
      });
  }

  function selectedFilters() {
    var chosen = {};
    document.querySelectorAll("#offline-filters input:checked").forEach(function (box) {
      (chosen[box.name] = chosen[box.name] || []).push(box.value);
    });
    return chosen;
  }

  function passes(doc, chosen) {
    return Object.keys(chosen).every(function (name) {
      return chosen[name].some(function (value) { return store.filters.filters[name][value].indexOf(doc) >= 0; });
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
    var names = { region: "Region", year: "Year", measure: "Measure", claimant: "Claimant" };
    Object.keys(names).forEach(function (name) {
      var values = store.filters.filters[name];
      if (!values) { return; }
      var group = document.createElement("details");
      var summary = document.createElement("summary");
      summary.textContent = names[name];
      group.appendChild(summary);
      Object.keys(values).forEach(function (value, index) {
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
