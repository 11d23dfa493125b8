// The search page: a form, filters and results drawn over the archive's own index (static/search-engine.js).
// Every title, snippet, date, region, reading and filter value comes from contributors' files, so
// each is written with textContent and never parsed as HTML.
//
// Loaded right after the form (not at the end of the page): it shows the form and reserves the
// room results take before the footer is laid out, so results arriving never shift the page.
// A date in the words (2022-03-16, 16 March 2022, March 2022, 2022-03) becomes the hidden `date`
// filter (the incident's ISO date), and the other words are searched: as words, a date's numbers
// would match half the archive. The date parsing, the filters' names and the parts of a result both
// search pages draw alike are in static/search-common.js, loaded first.
(function () {
  "use strict";
  var engine = window.ArchiveSearch;
  var root = document.currentScript.getAttribute("data-root") || "../";
  var PAGE = 20;
  var common = window.SearchCommon;
  var FILTER_NAMES = common.FILTER_NAMES;  // shown in this order, with these names

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var orderControl = document.getElementById("search-order");
  var filtersHolder = document.getElementById("search-filters");
  var help = document.getElementById("search-help");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var more = document.getElementById("search-more");

  // Each filter loaded: a Map from value to the Set of its documents. The first search loads none but
  // those it uses (a date typed, a filter the address chose); a reader opening a filter loads them all,
  // and from then on each value is counted within each search's results.
  var filters = new Map();
  var counting = false;
  var shown = PAGE;
  var latest = 0;  // each change starts a search; only the latest may draw its results
  var typingTimer = 0;

  // --- the form ------------------------------------------------------------------------------

  // The search in the address, so that a search is a link a reader can share or go back to.
  function remember(term, order, chosen) {
    var params = new URLSearchParams();
    if (term) { params.set("q", term); }
    if (order !== "relevance") { params.set("order", order); }
    chosen.forEach(function (values, name) { values.forEach(function (value) { params.append(name, value); }); });
    var query = params.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  function shownFilters() {
    var names = engine.filterNames();
    return FILTER_NAMES.filter(function (entry) { return names.indexOf(entry[0]) >= 0; });
  }

  // The filters, each value's count within `results` (a Set of documents) when given, else in the whole archive.
  function drawFilters(results, chosen) {
    common.drawFilters(filtersHolder, shownFilters(), filters, chosen,
      function (name, value) { return value + " (" + countOf(filters.get(name).get(value), results) + ")"; });
  }

  function countOf(documents, results) {
    if (!results) { return documents.size; }
    var count = 0;
    documents.forEach(function (doc) { if (results.has(doc)) { count += 1; } });
    return count;
  }

  // --- results -------------------------------------------------------------------------------

  async function run() {
    var ticket = ++latest;
    var failures = engine.failuresSoFar();
    var term = input.value.trim();
    var order = orderControl.value;
    var chosen = common.chosenFilters(filtersHolder);
    remember(term, order, chosen);
    var date = common.dateIn(term);
    var words = date ? date.rest : term;
    var wanted = new Map(chosen);
    if (date) { wanted.set("date", date.days); }
    var firstRegions = words && order === "relevance" && !wanted.size;
    var needed = Array.from(wanted.keys()).concat(firstRegions ? ["kind"] : []);
    if (counting) { needed = needed.concat(shownFilters().map(function (entry) { return entry[0]; })); }
    await common.loadFilters(engine, filters, needed);
    if (!words && !wanted.size) {  // nothing asked: no results, and the filters (opened ones counted in the whole archive)
      if (ticket !== latest) { return; }
      drawFilters(null, chosen);
      list.textContent = "";
      list.hidden = true;
      status.textContent = "\u00a0";
      more.hidden = true;
      return;
    }
    var found = await engine.search(words, wanted.size > 0);  // (words of no letter: no results, as offline)
    // Without words there is no relevance: results come newest first, as month pages list them.
    var ordered = engine.order(common.passing(found, wanted, filters), words ? order : (order === "oldest" ? "oldest" : "newest"));
    if (firstRegions) { ordered = common.regionsFirst(ordered, (filters.get("kind") || new Map()).get("region") || new Set()); }
    var page = await Promise.all(ordered.slice(0, shown).map(function (result) { return engine.documentOf(result.doc); }));
    if (ticket !== latest) { return; }  // a newer search has started; its results will be drawn instead
    // Filters, status and results change together, in one frame.
    drawFilters(counting ? new Set(ordered.map(function (result) { return result.doc; })) : null, chosen);
    var folded = engine.wordsOf(words);
    list.textContent = "";
    var docs = page.filter(Boolean);  // (a documents file that could not be loaded: the status line says so)
    docs.forEach(function (doc) { list.appendChild(common.resultItem(doc, root + doc[0], folded, engine.wordsOf)); });
    list.hidden = docs.length === 0;  // an empty list takes no room (its margins would move with the filters)
    status.textContent = common.describe(ordered.length, words, date, chosen.size > 0, common.incomplete(engine, failures, wanted, filters));
    more.hidden = ordered.length <= shown;
  }

  // A reader opened a filter: every shown filter's values (loaded by each search until they come), counted within
  // each search's results from now on.
  async function countWithinResults() {
    if (counting) { return; }
    counting = true;
    await run();
    filtersHolder.dataset.counted = "within results";
  }

  // Resolves once the browser has drawn what the page holds now.
  function nextFrame() {
    return new Promise(function (resolve) { window.requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
  }

  function restart() { shown = PAGE; run(); }

  async function start() {
    // The filters first, on their own: on a narrow screen they stand above the results, which
    // would move down if both came in the same frame. Results come in a later one.
    help.textContent = common.filtersHelp(shownFilters());
    var address = common.addressFilters(window.location.search);  // a link chose filters: their groups open with them checked
    await common.loadFilters(engine, filters, Array.from(address.keys()));
    drawFilters(null, address);
    await nextFrame();
    form.addEventListener("submit", function (event) { event.preventDefault(); restart(); });
    input.addEventListener("input", function () { clearTimeout(typingTimer); typingTimer = setTimeout(restart, 200); });
    orderControl.addEventListener("change", restart);
    filtersHolder.addEventListener("change", restart);
    filtersHolder.addEventListener("toggle", countWithinResults, true);  // a filter group opened ("toggle" does not bubble)
    more.addEventListener("click", function () { shown += PAGE; run(); });
    await run();
  }

  // At once, before the rest of the page is read: the form in place of the note that search needs
  // JavaScript, the words and choices of the address, and room for a page of results.
  document.getElementById("search-needs-js").hidden = true;
  form.hidden = false;
  list.hidden = true;
  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  orderControl.value = ["newest", "oldest"].indexOf(params.get("order")) >= 0 ? params.get("order") : "relevance";
  status.textContent = input.value.trim() ? "Searching\u2026" : "\u00a0";
  input.focus();
  engine.whenReady(start, function () {
    status.textContent = "The search index could not be loaded. Browse all incidents by month or by region instead.";
  });
})();
