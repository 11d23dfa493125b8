// Search for the offline copy of the archive, opened from disk (file://): the form, filters and
// results drawn over static/search-engine.js, which loads the site's own index by <script> elements
// (browsers refuse fetch() there). Everything shown on the page is set with textContent.
// Loaded right after the form (see templates/_search.html): start() shows the form and reserves
// the room results take before the footer is laid out, so results arriving never shift the page.
// Results show what the online search shows (static/search.js): date, regions, key readings and a
// snippet of the record's own text; a date in the words becomes the hidden `date` filter. The date
// parsing, the filters' names and the parts of a result both search pages draw alike are in
// static/search-common.js, which the page loads first, then search-engine.js, then this file.
(function () {
  "use strict";
  var engine = window.ArchiveSearch;
  var script = document.currentScript;
  var root = script.getAttribute("data-root") || "./";
  var PAGE = 20;
  var common = window.SearchCommon;
  var FILTER_NAMES = common.FILTER_NAMES;  // shown in this order, with these names
  var dateIn = common.dateIn;
  var wordsOf = engine.wordsOf;
  var filters = new Map();  // each filter shown, "kind" and "date": a Map from value to the Set of its documents
  var drawnOnce = false;  // the filters: ticked as the address asks when first drawn, then as the reader leaves them
  var shown = PAGE;
  var latest = 0;  // each keystroke starts a search; only the latest may draw its results

  function regions() { return (filters.get("kind") || new Map()).get("region") || new Set(); }

  var ALL_FILTERS = FILTER_NAMES.map(function (entry) { return entry[0]; }).concat(["kind", "date"]);  // loaded at once, from disk

  // Draws the results of one search at once (synchronously), so two searches never interleave.
  function render(results, docs, words, date, chosen, lacking) {
    var list = document.getElementById("offline-results");
    var folded = wordsOf(words);
    list.textContent = "";
    var shownDocs = docs.filter(Boolean);  // (a documents file that could not be loaded: the status line says so)
    shownDocs.forEach(function (doc) {
      list.appendChild(common.resultItem(doc, root + doc[0] + (/\/$/.test(doc[0]) ? "index.html" : ""), folded, wordsOf));  // (no folder's index opens from disk)
    });
    list.hidden = shownDocs.length === 0;  // an empty list takes no room
    document.getElementById("offline-status").textContent = common.describe(results.length, words, date, chosen.size > 0, lacking);
    document.getElementById("offline-more").hidden = results.length <= shown;
  }

  // The filters the index has (each its name alone, or the values chosen, until its values are loaded), ticked as
  // the address asks when first drawn (the map's places link to ?place=NAME, as on the search page), then as the
  // reader leaves them; and a help text that names only those filters.
  function drawFilters() {
    var holder = document.getElementById("offline-filters");
    var chosen = drawnOnce ? common.chosenFilters(holder) : common.addressFilters(window.location.search);
    var present = FILTER_NAMES.filter(function (entry) { return engine.filterNames().indexOf(entry[0]) >= 0; });
    document.getElementById("offline-help").textContent = common.filtersHelp(present);
    common.drawFilters(holder, present, filters, chosen, function (name, value) { return value; });
    drawnOnce = true;
  }

  // A search of what the form holds once the filters are loaded and drawn (ticked as the address asks).
  function run() {
    var ticket = ++latest;
    var failures = engine.failuresSoFar();
    return common.loadFilters(engine, filters, ALL_FILTERS).then(function (came) {
      if (came) { drawFilters(); }
      var query = document.getElementById("offline-q").value.trim();
      var how = document.getElementById("offline-order").value;
      var chosen = common.chosenFilters(document.getElementById("offline-filters"));
      var date = dateIn(query);
      var words = date ? date.rest : query;
      var wanted = new Map(chosen);
      if (date) { wanted.set("date", date.days); }
      return engine.search(words, wanted.size > 0).then(function (results) {
        var ordered = engine.order(common.passing(results, wanted, filters), how);
        if (words && how === "relevance" && !wanted.size) { ordered = common.regionsFirst(ordered, regions()); }
        return Promise.all(ordered.slice(0, shown).map(function (r) { return engine.documentOf(r.doc); })).then(function (docs) {
          if (ticket === latest) { render(ordered, docs, words, date, chosen, common.incomplete(engine, failures, wanted, filters)); }
        });
      });
    });
  }

  // Once index.js, the first index file, which the page loads right after the form, is here: the form in
  // place of the note that search needs JavaScript, its filters by name, and room for a page of results.
  // The filters' files follow (from disk, all at once); a search waits for them.
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

  engine.whenReady(start);
})();
