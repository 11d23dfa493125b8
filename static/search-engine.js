// The archive's own search: it finds, scores and orders documents from the index that
// archive/search_index.py writes, loading its files by <script> elements (which work from disk,
// where browsers refuse fetch()) and only the files a search needs: index.js first, then from
// each shard the words file of each word searched, the files of the documents shown and of the
// filters used. Results, scores and counts are those of one index of the whole archive.
// Each index file calls ArchiveSearch.receive(kind, key, data). Nothing read from the index
// (a word, a filter value, a file's key) is ever the key of a plain object, where "__proto__"
// or "constructor" would mean something else: the files hold lists, kept here in Maps and Sets.
// A classic script, not a module: browsers refuse module scripts on file:// pages.
var ArchiveSearch = (function () {
  "use strict";
  var script = document.currentScript;
  var folder = (script.getAttribute("data-root") || "./") + "search-index/";
  var PREFIX_CHARACTERS = 3;  // a word being typed matches the words it starts when it has this many characters or more
  var index = null;  // index.js: {shards: [[name, documents, [first word of each words file]]], filters: [[name, key]]}
  var shardStarts = [];  // the number of each shard's first document
  var count = 0;
  var files = new Map();  // "kind/key" -> the file's data, made ready to use (see ready)
  var pending = new Map();  // "kind/key" -> the resolve functions of the loads waiting for that file
  var waiting = [];  // [ready, failed] callbacks for index.js
  var failed = false;
  var failures = 0;  // words and documents files that could not be loaded so far (each is asked for again by a later search)

  function receive(kind, key, data) {
    if (kind === "index") {
      if (index || !data) { return; }
      index = data;
      shardStarts = data.shards.map(function (shard) { var first = count; count += shard[1]; return first; });
      waiting.splice(0).forEach(function (callbacks) { callbacks[0](); });
      return;
    }
    if (kind !== "words" && kind !== "docs" && kind !== "filters") { return; }
    var id = kind + "/" + key;
    var value = ready(kind, data);
    if (value !== null) { files.set(id, value); }  // (a file that failed to load is asked for again by a later search)
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

  // Calls `then` once index.js is here, or `otherwise` if it cannot be loaded.
  function whenReady(then, otherwise) {
    if (index) { then(); } else if (failed) { if (otherwise) { otherwise(); } } else { waiting.push([then, otherwise]); }
  }

  function addScript(address, onerror) {
    var tag = document.createElement("script");
    tag.src = address;
    tag.onerror = onerror;
    document.head.appendChild(tag);
  }

  // A file of a shard (shards/NAME/words/N.js, shards/NAME/docs/N.js) or a filter's (filters/KEY.js). Each is
  // named by what it holds: a changed one has a new name, so a browser's copy is never stale.
  function load(kind, key) {
    var id = kind + "/" + key;
    if (files.has(id)) { return Promise.resolve(files.get(id)); }
    return new Promise(function (resolve) {
      if (pending.has(id)) { pending.get(id).push(resolve); return; }
      pending.set(id, [resolve]);
      var slash = key.indexOf("/");
      var path = kind === "filters" ? "filters/" + key : "shards/" + key.slice(0, slash) + "/" + kind + key.slice(slash);
      addScript(folder + path + ".js", function () {
        if (kind !== "filters") { failures += 1; }  // (a filter that failed is not there: the pages see that)
        receive(kind, key, null);
      });
    });
  }

  // The terms of `text`: lower case, NFKD, no marks (\p{M}), plurals made singular, as archive/search_index.py's words_of.
  function wordsOf(text) { return foldedWords(text).map(singular); }

  function foldedWords(text) {
    var folded = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
    return folded.match(/[\p{L}\p{N}_]+/gu) || [];
  }

  // After Harman's S stemmer, as archive/search_index.py's singular: "ies" is "y", "us" and "ss" stay, words of four
  // characters or more (code points, as Python counts them).
  function singular(word) {
    if (word.charAt(word.length - 1) !== "s" || /(us|ss)$/.test(word) || Array.from(word).length < 4) { return word; }
    if (/ies$/.test(word) && !/[ea]ies$/.test(word)) { return word.slice(0, -3) + "y"; }
    return word.slice(0, -1);
  }

  // The last item of `sorted` not greater than `value`, as its position; -1 if none.
  function lastAtMost(sorted, value) {
    var low = 0;
    var high = sorted.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (sorted[middle] <= value) { low = middle + 1; } else { high = middle; }
    }
    return low - 1;
  }

  // The words files of shard `shard` that may hold `word`, and with `prefix` the words it starts.
  function wordFiles(shard, word, prefix) {
    var firstWords = index.shards[shard][2];
    var numbers = new Set();
    var exact = lastAtMost(firstWords, word);
    if (exact >= 0) { numbers.add(exact); }
    if (prefix) {
      for (var number = Math.max(lastAtMost(firstWords, prefix), 0); number <= lastAtMost(firstWords, prefix + "\uffff"); number++) {
        numbers.add(number);
      }
    }
    return Array.from(numbers);
  }

  // The documents holding the term `word` (or, with `prefix`, the word being typed as it was typed, a term it
  // starts: at half the score), as a Map from document number to score. A term's score in a document is BM25's:
  // rarer terms count for more, and each time a term is in a document counts for less than the one before.
  function scoresFor(word, prefix) {
    var loads = [];
    index.shards.forEach(function (shard, number) {
      wordFiles(number, word, prefix).forEach(function (file) {
        loads.push(load("words", shard[0] + "/" + file).then(function (words) { return [shardStarts[number], words]; }));
      });
    });
    return Promise.all(loads).then(function (loaded) {
      var found = new Map();  // candidate word -> [[first document of its shard, postings], ...]
      loaded.forEach(function (pair) {
        if (!pair[1]) { return; }
        pair[1].forEach(function (postings, candidate) {
          if (candidate !== word && !(prefix && candidate.indexOf(prefix) === 0)) { return; }
          if (!found.has(candidate)) { found.set(candidate, []); }
          found.get(candidate).push([pair[0], postings]);
        });
      });
      var scores = new Map();
      found.forEach(function (lists, candidate) {
        var documents = lists.reduce(function (sum, list) { return sum + list[1].length / 2; }, 0);
        var rarity = Math.log(1 + (count - documents + 0.5) / (documents + 0.5)) * (candidate === word ? 1 : 0.5);
        lists.forEach(function (list) {
          var number = list[0];
          var postings = list[1];
          for (var at = 0; at < postings.length; at += 2) {
            number += postings[at];
            var weight = postings[at + 1];
            var score = rarity * weight * 2.2 / (weight + 1.2);
            if (!(scores.get(number) >= score)) { scores.set(number, score); }
          }
        });
      });
      return scores;
    });
  }

  // The documents with every word of `query` (the last may be a word being typed), each {doc, score}.
  // With no words: every document when `all` (filters then choose), none otherwise.
  function search(query, all) {
    var typed = foldedWords(query);
    var words = typed.map(singular);
    if (!words.length) {
      var every = [];
      for (var doc = 0; all && doc < count; doc++) { every.push({ doc: doc, score: 0 }); }
      return Promise.resolve(every);
    }
    var last = typed[typed.length - 1];  // the word being typed: the terms it starts, as typed (not made singular)
    return Promise.all(words.map(function (word, at) {
      return scoresFor(word, at === words.length - 1 && Array.from(last).length >= PREFIX_CHARACTERS ? last : null);
    }))
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

  // How many words and documents files could not be loaded so far: a search during which it grew may lack results
  // or documents (the pages say so; the files are asked for again by the next search).
  function failuresSoFar() { return failures; }

  function filterNames() { return index.filters.map(function (entry) { return entry[0]; }); }

  // A filter's values, as a Map from value to the Set of its documents (empty for a filter the index lacks;
  // null when its file could not be loaded).
  function filter(name) {
    var entry = index.filters.find(function (candidate) { return candidate[0] === name; });
    if (!entry) { return Promise.resolve(new Map()); }
    return load("filters", entry[1]);
  }

  // What a result shows of a document: [url, title, kind, ISO date, context, date, regions, readings].
  function documentOf(doc) {
    var shard = lastAtMost(shardStarts, doc);
    return load("docs", index.shards[shard][0] + "/" + (doc - shardStarts[shard]));
  }

  // index.js is asked of the server every time (a query the file ignores): the one file not named by what it holds.
  addScript(folder + "index.js?" + Date.now(), function () {
    failed = true;
    waiting.splice(0).forEach(function (callbacks) { if (callbacks[1]) { callbacks[1](); } });
  });

  return {
    receive: receive, whenReady: whenReady, wordsOf: wordsOf, search: search, order: order,
    filterNames: filterNames, filter: filter, documentOf: documentOf, failuresSoFar: failuresSoFar
  };
})();
