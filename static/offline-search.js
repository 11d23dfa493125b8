// Search for the offline copy of the archive, opened from disk (file://): the form, filters and
// results drawn over static/search-engine.js, which loads the site's own index by <script> elements
// (browsers refuse fetch() there). Everything shown on the page is set with textContent.
// Loaded right after the form (see templates/_search.html): it shows the form and reserves the room
// results take before the footer is laid out, so results arriving never shift the page; the filters
// and the first search follow once index.js is here. Results show what the online search shows
// (static/search.js): date, regions, key readings and a snippet of the record's own text; a date in
// the words becomes the hidden `date` filter. What both search pages do alike (the form, the date
// parsing, the filters, one search and its results) is in static/search-common.js, which the page
// loads first, then search-engine.js, then this file.
(function () {
  "use strict";
  var engine = window.ArchiveSearch;
  var root = document.currentScript.getAttribute("data-root") || "./";
  var PAGE = 20;
  var common = window.SearchCommon;
  var parts = common.openForm("offline", "offline-search");  // at once
  var filters = new Map();  // each filter shown, "kind" and "date": a Map from value to the Set of its documents
  var shownFilters = [];  // (the index's, known once it is here)
  var shown = PAGE;
  var latest = 0;  // each keystroke starts a search; only the latest may draw its results

  // A result's link: a folder's index.html, which no browser opens by itself from disk.
  function href(url) { return root + url + (/\/$/.test(url) ? "index.html" : ""); }

  // The filters the index has (each its name alone, or the values `chosen`, until its values are loaded).
  function drawFilters(chosen) {
    common.drawFilters(parts.filters, shownFilters, filters, chosen, function (name, value) { return value; });
  }

  // A search of what the form holds once the filters are loaded (all at once, from disk; one that could not be
  // loaded is asked for again by each search) and drawn, as the reader left them ticked.
  function run() {
    var ticket = ++latest;
    var failures = engine.failuresSoFar();
    var names = shownFilters.map(function (entry) { return entry[0]; }).concat(["kind", "date"]);
    return common.loadFilters(engine, filters, names).then(function (came) {
      if (came) { drawFilters(common.chosenFilters(parts.filters)); }
      var asked = common.query(parts.q.value.trim(), parts.order.value, common.chosenFilters(parts.filters));
      return common.find(engine, filters, asked, shown).then(function (results) {
        if (ticket === latest) {
          common.drawResults(parts, engine, asked, results, shown, href, common.incomplete(engine, failures, asked.wanted, filters));
        }
      });
    });
  }

  // Once index.js, the first index file, is here: the filters by name, ticked as the address asks (the map's
  // places link to ?place=NAME, as on the search page), a help text naming only them, and the first search.
  function start() {
    shownFilters = common.shownFilters(engine);
    parts.help.textContent = common.filtersHelp(shownFilters);
    drawFilters(common.addressFilters(window.location.search));
    parts.form.addEventListener("submit", function (event) { event.preventDefault(); shown = PAGE; run(); });
    parts.q.addEventListener("input", function () { shown = PAGE; run(); });
    parts.form.addEventListener("change", function () { shown = PAGE; run(); });
    parts.more.addEventListener("click", function () { shown += PAGE; run(); });
    run();
  }

  engine.whenReady(start, function () { parts.status.textContent = common.NO_INDEX; });
})();
