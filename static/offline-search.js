// Search for the offline copy of the archive, opened from disk (file://).
// Browsers refuse fetch() there, so the index comes as <script> files that call
// ArchiveSearch.receive(): filters.js at once, then only the word shards and document
// blocks a search needs. Words are folded as archive/offline.py folds them.
// Nothing read from the index (a word, a filter name or value, a file's key) is ever used as
// the key of a plain object, where "__proto__" or "constructor" would mean something else:
// the files hold lists of [key, value] pairs, kept here in Maps. Everything shown on the page
// is set with textContent.
// Loaded right after the form (see templates/_search.html): start() shows the form and reserves
// the room results take before the footer is laid out, so results arriving never shift the page.
// Results show what the online search shows (static/search.js): date, regions, key readings and a
// snippet of the record's own text; a date in the words becomes the hidden `date` filter. The date
// parsing, the filters' names and the parts of a result both search pages draw alike are in
// static/search-common.js, which the page loads first.
var ArchiveSearch = (function () {
  "use strict";
  var script = document.currentScript;
  var root = script.getAttribute("data-root") || "./";
  var store = { terms: new Map(), docs: new Map(), filters: null };
  var pending = new Map();  // "kind/key" -> the resolve functions of the loads waiting for that file
  var PAGE = 20;
  var common = window.SearchCommon;
  var FILTER_NAMES = common.FILTER_NAMES;  // shown in this order, with these names
  var dateIn = common.dateIn;
  var shown = PAGE;
  var latest = 0;  // each keystroke starts a search; only the latest may draw its results

  // terms: [[word, [doc, weight, doc, weight, ...]], ...];
  // docs: [[url, title, kind, ISO date, context, date, regions, readings], ...] (the last three as shown, "" when none);
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
      // each value's documents as a Set: a filter asks it of every document (an array's indexOf was quadratic)
      filters: new Map(data.filters.map(function (entry) {
        return [entry[0], new Map(entry[1].map(function (pair) { return [pair[0], new Set(pair[1])]; }))];
      }))
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
      return /^[a-z0-9]$/.test(char) ? char : "u" + char.codePointAt(0).toString(16).padStart(6, "0");
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

  // The documents with every word of `query` (the last one may be a word being typed), scored; with
  // no words and `all`, every document (filters then choose).
  function search(query, all) {
    var words = wordsOf(query);
    if (!words.length) {
      var every = [];
      for (var doc = 0; all && doc < store.filters.count; doc++) { every.push({ doc: doc, score: 0 }); }
      return Promise.resolve(every);
    }
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
        return docs !== undefined && docs.has(doc);
      });
    });
  }

  // Newest first is the documents' order within a day (the archive's, as month pages list
  // incidents), and oldest first its exact reverse, as on the search page.
  function order(results, how) {
    var dates = store.filters.dates;
    function newestFirst(a, b) { return dates[a.doc] !== dates[b.doc] ? (dates[a.doc] < dates[b.doc] ? 1 : -1) : a.doc - b.doc; }
    function oldestFirst(a, b) { return newestFirst(b, a); }
    function bestFirst(a, b) { return b.score - a.score || a.doc - b.doc; }
    return results.sort(how === "newest" ? newestFirst : how === "oldest" ? oldestFirst : bestFirst);
  }

  // The regions the words name (at most three) first, since a region's page lists its incidents,
  // which rank by their own words (as static/search.js does).
  function regionsFirst(ordered) {
    var regions = ordered.filter(function (r) { return passes(r.doc, [["kind", ["region"]]]); }).slice(0, 3);
    return regions.concat(ordered.filter(function (r) { return regions.indexOf(r) < 0; }));
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

  // Title; date, regions and key readings (or that it is a region); a snippet of its own text.
  function resultItem(doc, words) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = root + doc[0];
    link.className = "result-title";
    link.textContent = doc[1];
    item.appendChild(link);
    var details = common.resultDetails(doc[5], doc[3], doc[6], doc[7], doc[2] === "region");
    if (details) { item.appendChild(details); }
    if (doc[4]) {
      var excerpt = document.createElement("p");
      excerpt.className = "result-snippet";
      excerpt.appendChild(highlighted(snippet(doc[4], words), words));
      item.appendChild(excerpt);
    }
    return item;
  }

  // Draws the results of one search at once (synchronously), so two searches never interleave.
  function render(results, docs, words, date, chosen) {
    var list = document.getElementById("offline-results");
    var folded = wordsOf(words);
    list.textContent = "";
    docs.forEach(function (doc) { list.appendChild(resultItem(doc, folded)); });
    list.hidden = docs.length === 0;  // an empty list takes no room
    document.getElementById("offline-status").textContent = common.describe(results.length, words, date, chosen.length > 0);
    document.getElementById("offline-more").hidden = results.length <= shown;
  }

  // One <details> per filter that has values, and a help text that names only those filters.
  function drawFilters() {
    var holder = document.getElementById("offline-filters");
    var params = new URLSearchParams(window.location.search);
    var present = FILTER_NAMES.filter(function (entry) {
      var values = store.filters.filters.get(entry[0]);
      return values && values.size > 0;
    });
    document.getElementById("offline-help").textContent = common.filtersHelp(present);
    present.forEach(function (entry) {
      var values = Array.from(store.filters.filters.get(entry[0]).keys());
      var asked = params.getAll(entry[0]);  // ticked as the address asks, as search.js does: the map's places link to ?place=NAME
      holder.appendChild(common.filterGroup(entry[0], entry[1], common.sortedValues(entry[0], values), String,
        function (value) { return asked.indexOf(value) >= 0; }));
    });
  }

  function run() {
    var query = document.getElementById("offline-q").value.trim();
    var how = document.getElementById("offline-order").value;
    var chosen = selectedFilters();
    var date = dateIn(query);
    var words = date ? date.rest : query;
    var wanted = date ? chosen.concat([["date", date.days]]) : chosen;
    var ticket = ++latest;
    return search(words, wanted.length > 0).then(function (results) {
      var ordered = order(results.filter(function (r) { return passes(r.doc, wanted); }), how);
      if (words && how === "relevance" && !wanted.length) { ordered = regionsFirst(ordered); }
      return Promise.all(ordered.slice(0, shown).map(function (r) { return documentOf(r.doc); })).then(function (docs) {
        if (ticket === latest) { render(ordered, docs, words, date, chosen); }
      });
    });
  }

  // Called by filters.js, the first index file, which the page loads right after the form: the form
  // in place of the note that search needs JavaScript, its filters, and room for a page of results.
  function start() {
    var form = document.getElementById("offline-search");
    if (!form) { return; }
    document.getElementById("search-needs-js").hidden = true;
    form.hidden = false;
    document.getElementById("offline-results").hidden = true;
    drawFilters();
    var params = new URLSearchParams(window.location.search);
    var input = document.getElementById("offline-q");
    input.value = params.get("q") || "";
    document.getElementById("offline-status").textContent = input.value.trim() ? "Searching\u2026" : "\u00a0";
    form.addEventListener("submit", function (event) { event.preventDefault(); shown = PAGE; run(); });
    input.addEventListener("input", function () { shown = PAGE; run(); });
    form.addEventListener("change", function () { shown = PAGE; run(); });
    document.getElementById("offline-more").addEventListener("click", function () { shown += PAGE; run(); });
    input.focus();
    run();
  }

  return { receive: receive, search: search, dateIn: dateIn };
})();
