// The search page: a form, filters and results drawn over the archive's own index (static/search-engine.js).
// Every title, snippet, date, region, reading and filter value comes from contributors' files, so
// each is written with textContent and never parsed as HTML.
//
// Loaded right after the form (not at the end of the page): it shows the form and reserves the
// room results take before the footer is laid out, so results arriving never shift the page.
// A date in the words (2022-03-16, 16 March 2022, March 2022, 2022-03) becomes the hidden `date`
// filter (the incident's ISO date), and the other words are searched: as words, a date's numbers
// would match half the archive. What both search pages do alike (the form, the date parsing, the
// filters, one search and its results) is in static/search-common.js, loaded first.
(function () {
  "use strict";
  var engine = window.ArchiveSearch;
  var root = document.currentScript.getAttribute("data-root") || "../";
  var PAGE = 20;
  var common = window.SearchCommon;
  var parts = common.openForm("search", "search-form");  // at once (see the end of this file)

  // Each filter loaded: a Map from value to the Set of its documents. The first search loads none but
  // those it uses (a date typed, a filter the address chose); a reader opening a filter loads them all,
  // and from then on each value is counted within each search's results.
  var filters = new Map();
  var shownFilters = [];  // (the index's, known once it is here)
  var counting = false;
  var shown = PAGE;
  var latest = 0;  // each change starts a search; only the latest may draw its results
  var typingTimer = 0;

  // The search in the address, so that a search is a link a reader can share or go back to.
  function remember(term, order, chosen) {
    var params = new URLSearchParams();
    if (term) { params.set("q", term); }
    if (order !== "relevance") { params.set("order", order); }
    chosen.forEach(function (values, name) { values.forEach(function (value) { params.append(name, value); }); });
    var query = params.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  // The filters, each value's count within `results` (a Set of documents) when given, else in the whole archive.
  function drawFilters(results, chosen) {
    common.drawFilters(parts.filters, shownFilters, filters, chosen,
      function (name, value) { return value + " (" + countOf(filters.get(name).get(value), results) + ")"; });
  }

  function countOf(documents, results) {
    if (!results) { return documents.size; }
    var count = 0;
    documents.forEach(function (doc) { if (results.has(doc)) { count += 1; } });
    return count;
  }

  async function run() {
    var ticket = ++latest;
    var failures = engine.failuresSoFar();
    var term = parts.q.value.trim();
    var chosen = common.chosenFilters(parts.filters);
    remember(term, parts.order.value, chosen);
    var asked = common.query(term, parts.order.value, chosen);
    var needed = common.filtersNeeded(asked);
    if (counting) { needed = needed.concat(shownFilters.map(function (entry) { return entry[0]; })); }
    await common.loadFilters(engine, filters, needed);
    if (!asked.words && !asked.wanted.size) {  // nothing asked: no results, and the filters (opened ones counted in the whole archive)
      if (ticket !== latest) { return; }
      drawFilters(null, chosen);
      parts.list.textContent = "";
      parts.list.hidden = true;
      parts.status.textContent = "\u00a0";
      parts.more.hidden = true;
      return;
    }
    var results = await common.find(engine, filters, asked, shown);
    if (ticket !== latest) { return; }  // a newer search has started; its results will be drawn instead
    // Filters, status and results change together, in one frame.
    drawFilters(counting ? new Set(results.ordered.map(function (result) { return result.doc; })) : null, chosen);
    common.drawResults(parts, engine, asked, results, shown, function (url) { return root + url; },
      common.incomplete(engine, failures, asked.wanted, filters));
  }

  // A filter group opened (by a reader, or with a filter a link chose): every shown filter's values (loaded by each
  // search until they come), counted within each search's results from now on.
  async function countWithinResults() {
    if (counting) { return; }
    counting = true;
    await run();
    parts.filters.dataset.counted = "within results";
  }

  // Resolves once the browser has drawn what the page holds now.
  function nextFrame() {
    return new Promise(function (resolve) { window.requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
  }

  function restart() { shown = PAGE; run(); }

  async function start() {
    // The filters first, on their own: on a narrow screen they stand above the results, which
    // would move down if both came in the same frame. Results come in a later one.
    shownFilters = common.shownFilters(engine);
    parts.help.textContent = common.filtersHelp(shownFilters);
    var address = common.addressFilters(window.location.search);  // a link chose filters: their groups open with them checked
    await common.loadFilters(engine, filters, Array.from(address.keys()));
    drawFilters(null, address);
    await nextFrame();
    parts.form.addEventListener("submit", function (event) { event.preventDefault(); restart(); });
    parts.q.addEventListener("input", function () { clearTimeout(typingTimer); typingTimer = setTimeout(restart, 200); });
    parts.order.addEventListener("change", restart);
    parts.filters.addEventListener("change", restart);
    parts.filters.addEventListener("toggle", countWithinResults, true);  // ("toggle" does not bubble)
    parts.more.addEventListener("click", function () { shown += PAGE; run(); });
    await run();
  }

  engine.whenReady(start, function () { parts.status.textContent = common.NO_INDEX; });
})();
