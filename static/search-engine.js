// The archive's own search: it finds, scores and orders documents from the index that
// archive/search_index.py writes, loading its files by <script> elements (which work from disk,
// where browsers refuse fetch()) and only the files a search needs: index.js first, then the
// words file of each word searched, the files of the documents shown and of the filters used.
// Each index file calls ArchiveSearch.receive(kind, key, data). Nothing read from the index
// (a word, a filter value, a file's key) is ever the key of a plain object, where "__proto__"
// or "constructor" would mean something else: the files hold lists, kept here in Maps and Sets.
// A classic script, not a module: browsers refuse module scripts on file:// pages.
var ArchiveSearch = (function () {
  "use strict";
  var script = document.currentScript;
  var folder = (script.getAttribute("data-root") || "./") + "search-index/";
  var PREFIX_FILES = 4;  // a word being typed matches the words it starts only when they are in this many files or fewer
  var index = null;  // index.js: {count, months: [[month, count]], words: [first word of each file], filters: [name]}
  var monthStarts = [];  // the number of each month's first document
  var files = new Map();  // "kind/key" -> the file's data, made ready to use (see ready)
  var pending = new Map();  // "kind/key" -> the resolve functions of the loads waiting for that file
  var waiting = [];  // what to call once index.js is here

  function receive(kind, key, data) {
    if (kind === "index") {
      index = data;
      var start = 0;
      monthStarts = data.months.map(function (month) { var first = start; start += month[1]; return first; });
      waiting.splice(0).forEach(function (callback) { callback(); });
      return;
    }
    if (kind !== "words" && kind !== "docs" && kind !== "filters") { return; }
    var id = kind + "/" + key;
    var value = ready(kind, data);
    files.set(id, value);
    var done = pending.get(id);
    if (done) { pending.delete(id); done.forEach(function (resolve) { resolve(value); }); }
  }

  // words: a Map from word to postings; filters: a Map from value to the Set of its documents;
  // docs: [url, title, kind, ISO date, context, date, regions, readings] as written.
  function ready(kind, data) {
    if (!data) { return null; }
    if (kind === "words") { return new Map(data); }
    if (kind === "filters") {
      return new Map(data.map(function (entry) {
        var documents = new Set();
        var number = 0;
        entry[1].forEach(function (gap) { number += gap; documents.add(number); });
        return [entry[0], documents];
      }));
    }
    return data;
  }

  function whenReady(callback) { if (index) { callback(); } else { waiting.push(callback); } }

  function load(kind, key) {
    var id = kind + "/" + key;
    if (files.has(id)) { return Promise.resolve(files.get(id)); }
    return new Promise(function (resolve) {
      if (pending.has(id)) { pending.get(id).push(resolve); return; }
      pending.set(id, [resolve]);
      var tag = document.createElement("script");
      tag.src = folder + id + ".js";
      tag.onerror = function () { receive(kind, key, null); };
      document.head.appendChild(tag);
    });
  }

  // Lower case, NFKD and no marks (\p{M}): as archive/search_index.py's words_of.
  function wordsOf(text) {
    var folded = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
    return folded.match(/[\p{L}\p{N}_]+/gu) || [];
  }

  // The last item of `sorted` not greater than `value` (by `key`), as its position; -1 if none.
  function lastAtMost(sorted, value, key) {
    var low = 0;
    var high = sorted.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (key(sorted[middle]) <= value) { low = middle + 1; } else { high = middle; }
    }
    return low - 1;
  }

  function same(item) { return item; }

  // The words files that may hold `word`, or with `prefix` the words it starts (none when too many).
  function wordFiles(word, prefix) {
    var first = lastAtMost(index.words, word, same);
    if (!prefix) { return first < 0 ? [] : [first]; }
    var last = lastAtMost(index.words, word + "\uffff", same);
    if (last - Math.max(first, 0) + 1 > PREFIX_FILES) { return first < 0 ? [] : [first]; }
    var numbers = [];
    for (var number = Math.max(first, 0); number <= last; number++) { numbers.push(number); }
    return numbers;
  }

  // A word's share of a document's score: rarer words count for more (BM25's inverse document frequency),
  // and each time a word is in a document counts for less than the one before.
  function scorer(postings) {
    var found = postings.length / 2;
    var rarity = Math.log(1 + (index.count - found + 0.5) / (found + 0.5));
    return function (weight) { return rarity * weight * 2.2 / (weight + 1.2); };
  }

  // The documents holding `word` (or, for a word being typed, one it starts: at half the score), as a Map
  // from document number to score.
  function scoresFor(word, prefix) {
    return Promise.all(wordFiles(word, prefix).map(function (number) { return load("words", String(number)); }))
      .then(function (loaded) {
        var scores = new Map();
        loaded.forEach(function (words) {
          if (!words) { return; }
          words.forEach(function (postings, candidate) {
            var exact = candidate === word;
            if (!exact && !(prefix && candidate.indexOf(word) === 0)) { return; }
            var score = scorer(postings);
            var number = 0;
            for (var at = 0; at < postings.length; at += 2) {
              number += postings[at];
              var value = score(postings[at + 1]) * (exact ? 1 : 0.5);
              if (!(scores.get(number) >= value)) { scores.set(number, value); }
            }
          });
        });
        return scores;
      });
  }

  // The documents with every word of `query` (the last may be a word being typed), each {doc, score}.
  // With no words: every document when `all` (filters then choose), none otherwise.
  function search(query, all) {
    var words = wordsOf(query);
    if (!words.length) {
      var every = [];
      for (var doc = 0; all && doc < index.count; doc++) { every.push({ doc: doc, score: 0 }); }
      return Promise.resolve(every);
    }
    return Promise.all(words.map(function (word, at) { return scoresFor(word, at === words.length - 1); }))
      .then(function (lists) {
        var scores = lists[0];
        lists.slice(1).forEach(function (list) {
          var both = new Map();
          scores.forEach(function (score, doc) { if (list.has(doc)) { both.set(doc, score + list.get(doc)); } });
          scores = both;
        });
        var results = [];
        scores.forEach(function (score, doc) { results.push({ doc: doc, score: score }); });
        return results;
      });
  }

  // Documents are numbered newest first, undated last, so the date orders are the numbers' order.
  function order(results, how) {
    if (how === "newest") { return results.sort(function (a, b) { return a.doc - b.doc; }); }
    if (how === "oldest") { return results.sort(function (a, b) { return b.doc - a.doc; }); }
    return results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
  }

  function filterNames() { return index.filters.slice(); }

  // A filter's values, as a Map from value to the Set of its documents (empty for a filter the index lacks).
  function filter(name) {
    var number = index.filters.indexOf(name);
    if (number < 0) { return Promise.resolve(new Map()); }
    return load("filters", String(number)).then(function (values) { return values || new Map(); });
  }

  // What a result shows of a document: [url, title, kind, ISO date, context, date, regions, readings].
  function documentOf(doc) {
    var month = lastAtMost(monthStarts, doc, same);
    return load("docs", index.months[month][0] + "/" + (doc - monthStarts[month]));
  }

  return {
    receive: receive, whenReady: whenReady, wordsOf: wordsOf, search: search, order: order,
    filterNames: filterNames, filter: filter, documentOf: documentOf,
    count: function () { return index.count; }
  };
})();
