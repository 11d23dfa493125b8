// The search page: Pagefind's index (through its JavaScript API) with a form, filters and
// results drawn here. Every title, snippet, date, region, reading and filter value comes from
// contributors' files, so each is written with textContent and never parsed as HTML; Pagefind's
// own UI writes filter values and excerpts with innerHTML, which is why it is not used.
//
// Loaded right after the form (not at the end of the page): it shows the form and reserves the
// room results take before the footer is laid out, so results arriving never shift the page.
// A date in the words (2022-03-16, 16 March 2022, March 2022, 2022-03) becomes the hidden `date`
// filter (the incident's ISO date), and the other words are searched: Pagefind would otherwise
// split a date into numbers that match half the archive. The date parsing, the filters' names and
// the parts of a result both search pages draw alike are in static/search-common.js, loaded first.
(function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = new URL(script.getAttribute("data-root") || "../", window.location.href).pathname;
  var PAGE = 20;
  var SNIPPET_WORDS = 36;
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

  var pagefind = null;
  var shardNames = [];  // the index's shards, newest month first, content pages last
  var filtersCounted = false;  // Pagefind's filter files loaded: counts within results
  var shardsCounted = false;  // the shard filter's files loaded (see countShards)
  var NO_SHARD = "none";  // no shard has this name: a search limited to it finds nothing
  var filterNames = [];  // the filters with values (pagefind/shards.json)
  var allFilters = null;  // each filter's values, with their counts in the whole archive: loaded when a filter is opened
  var shown = PAGE;
  var latest = 0;  // each change starts a search; only the latest may draw its results
  var typingTimer = 0;

  // --- the form ------------------------------------------------------------------------------

  function chosenFilters() {
    var chosen = {};
    filtersHolder.querySelectorAll("input:checked").forEach(function (box) {
      (chosen[box.name] = chosen[box.name] || []).push(box.value);
    });
    return chosen;
  }

  // The search in the address, so that a search is a link a reader can share or go back to.
  function remember(term, order, chosen) {
    var params = new URLSearchParams();
    if (term) { params.set("q", term); }
    if (order !== "relevance") { params.set("order", order); }
    Object.keys(chosen).forEach(function (name) {
      chosen[name].forEach(function (value) { params.append(name, value); });
    });
    var query = params.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  function present(name) { return filterNames.indexOf(name) >= 0; }

  // "Narrow the results by region, year or claimant.": only the filters this index has.
  function writeHelp() {
    help.textContent = common.filtersHelp(FILTER_NAMES.filter(function (entry) { return present(entry[0]); }));
  }

  // One <details> per filter with a checkbox per value; counts say how many results each value keeps.
  // Until the values are loaded (a reader opens a filter), each <details> is its name alone.
  function drawFilters(counts, chosen) {
    var open = {};
    filtersHolder.querySelectorAll("details").forEach(function (group) { open[group.dataset.filter] = group.open; });
    filtersHolder.textContent = "";
    FILTER_NAMES.forEach(function (entry) {
      var name = entry[0];
      if (!present(name)) { return; }
      var values = (allFilters && allFilters[name]) || {};
      var group = common.filterGroup(name, entry[1], common.sortedValues(name, Object.keys(values)), function (value) {
        var count = counts && counts[name] && Object.prototype.hasOwnProperty.call(counts[name], value) ? counts[name][value] : values[value];
        return value + " (" + count + ")";
      }, function (value) { return chosen[name] && chosen[name].indexOf(value) >= 0; });
      group.dataset.filter = name;
      group.open = Boolean(open[name] || chosen[name]);
      filtersHolder.appendChild(group);
    });
  }

  // --- results -------------------------------------------------------------------------------

  // About SNIPPET_WORDS words of the record's own text around the first word found, the words found marked.
  function snippet(data) {
    var words = data.content.split(/\s+/g).filter(Boolean);
    var found = new Set(data.locations || []);
    var first = data.locations && data.locations.length ? Math.min.apply(null, data.locations) : 0;
    var start = Math.max(0, Math.min(first - 8, words.length - SNIPPET_WORDS));
    var end = Math.min(words.length, start + SNIPPET_WORDS);
    var paragraph = document.createElement("p");
    paragraph.className = "result-snippet";
    if (start > 0) { paragraph.appendChild(document.createTextNode("\u2026 ")); }
    for (var index = start; index < end; index++) {
      if (index > start) { paragraph.appendChild(document.createTextNode(" ")); }
      if (found.has(index)) {
        var mark = document.createElement("mark");
        mark.textContent = words[index];
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(document.createTextNode(words[index]));
      }
    }
    if (end < words.length) { paragraph.appendChild(document.createTextNode(" \u2026")); }
    return paragraph;
  }

  // Title; date, regions and key readings (or that it is a region); a snippet of its own text.
  function resultItem(data) {
    var meta = data.meta || {};
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = data.url;
    link.className = "result-title";
    link.textContent = meta.title || data.url;
    item.appendChild(link);
    var details = common.resultDetails(meta.date, data.filters && data.filters.date ? data.filters.date[0] : "",  // the ISO date
      meta.regions, meta.readings, data.filters && data.filters.kind && data.filters.kind.indexOf("region") >= 0);
    if (details) { item.appendChild(details); }
    if (data.content) { item.appendChild(snippet(data)); }
    return item;
  }

  // The regions `words` name (by their names, other spellings or code), at most three: shown first,
  // since a region's page lists its incidents, which rank by their own words.
  async function regionsNamed(words, shards) {
    var filters = { kind: { any: ["region"] } };
    if (shards) { filters.shard = { any: shards.length ? shards : [NO_SHARD] }; }
    var found = await pagefind.search(words, { filters: filters });
    return found ? found.results.slice(0, 3) : [];
  }

  function firstThen(first, results) {
    var ids = new Set(first.map(function (result) { return result.id; }));
    return first.concat(results.filter(function (result) { return !ids.has(result.id); }));
  }

  async function run() {
    var ticket = ++latest;
    var term = input.value.trim();
    var order = orderControl.value;
    var chosen = chosenFilters();
    remember(term, order, chosen);
    var date = common.dateIn(term);
    var words = date ? date.rest : term;
    if (!words && !date && !Object.keys(chosen).length) {
      drawFilters(null, chosen);
      list.textContent = "";
      list.hidden = true;
      status.textContent = "\u00a0";
      more.hidden = true;
      return;
    }
    var filters = {};
    Object.keys(chosen).forEach(function (name) { filters[name] = { any: chosen[name] }; });
    if (date) { filters.date = { any: date.days }; }
    // Without words there is no relevance: results come newest first, as month pages list them.
    var dateOrder = order !== "relevance" ? order : (words ? "" : "newest");
    var shards = await shardsWithEveryWord(words);
    if (shards) { filters.shard = { any: shards.length ? shards : [NO_SHARD] }; }
    var search = await pagefind.search(words || null, { filters: filters });
    var results = search ? search.results : [];
    var count = results.length;
    if (dateOrder) { results = inDateOrder(results, dateOrder); }
    var shownFirst = words && order === "relevance" && !date && !Object.keys(chosen).length ? await regionsNamed(words, shards) : [];
    var page = await Promise.all(firstThen(shownFirst, results).slice(0, shown).map(function (result) { return result.data(); }));
    if (ticket !== latest) { return; }  // a newer search has started; its results will be drawn instead
    // Filters, status and results change together, in one frame.
    drawFilters(search ? search.filters : null, chosen);
    list.textContent = "";
    page.forEach(function (data) { list.appendChild(resultItem(data)); });
    list.hidden = page.length === 0;  // an empty list takes no room (its margins would move with the filters)
    status.textContent = common.describe(count, words, date, Object.keys(chosen).length > 0);
    more.hidden = count <= shown;
  }

  // Pagefind counts a search's results by the values of the filters whose files it has loaded.
  // Searches of several words need the counts by shard (shardsWithEveryWord): the shard filter's
  // files (one small file a shard) are loaded for them alone, by a search limited to no shard.
  async function countShards() {
    if (shardsCounted) { return; }
    await pagefind.search(null, { filters: { shard: { any: [NO_SHARD] } } });
    shardsCounted = true;
  }

  // The shards a search of several words may take results from, or null for all. Pagefind leaves
  // out of a search the words an index does not hold at all; in a shard without one of the words
  // it would match pages with only the others, which one index of the whole archive never does.
  // So each word is looked up alone first: the shards that hold every word found anywhere.
  async function shardsWithEveryWord(words) {
    var terms = (words || "").split(/\s+/).filter(Boolean);
    if (terms.length < 2) { return null; }
    await countShards();
    var found = await Promise.all(terms.map(function (term) { return pagefind.search(term); }));
    var inShards = found.map(function (search) { return (search && search.filters.shard) || {}; })
      .filter(function (counts) { return Object.keys(counts).some(function (name) { return counts[name] > 0; }); });
    if (!inShards.length) { return null; }
    return shardNames.filter(function (name) { return inShards.every(function (counts) { return counts[name] > 0; }); });
  }

  // The results in date order. Every bundle of the index (the content pages' and each shard, a run
  // of months: see archive/search.py) numbers its records from oldest to newest, and names each
  // result by its bundle and number (en_202401_9c4; the content pages', undated and so oldest,
  // en_p1a2b3c_2): newest first is the archive's order, as month pages list incidents, and oldest
  // first its reverse. Pagefind's own date sort would order merged results by each shard's own
  // place of a page, and each shard would send a list of every page for it.
  function inDateOrder(results, order) {
    var direction = order === "newest" ? -1 : 1;
    var keys = new Map(results.map(function (result) {
      var parts = result.id.split("_").slice(-2);  // the bundle's first month (or p and a digest), the number
      return [result, [/^\d{6}$/.test(parts[0]) ? Number(parts[0]) : 0, parseInt(parts[1], 16)]];
    }));
    return results.slice().sort(function (a, b) {
      var first = keys.get(a), second = keys.get(b);
      return direction * (first[0] - second[0] || first[1] - second[1]);
    });
  }

  // The first search loads no filter values: neither pagefind/filters.json (each value's count in
  // the whole archive, which grows with its names) nor Pagefind's filter files. A reader opening a
  // filter loads both; from then on Pagefind counts every value within each search's results.
  async function countWithinResults() {
    if (filtersCounted) { return; }
    filtersCounted = true;
    try {
      await Promise.all([loadFilterValues(), pagefind.filters()]);
    } catch (error) {
      filtersCounted = false;  // opening a filter again tries again
      return;
    }
    await run();
    filtersHolder.dataset.counted = "within results";
  }

  async function loadFilterValues() {
    if (!allFilters) {
      allFilters = await (await fetch(siteRoot + "pagefind/filters.json", { cache: "no-cache" })).json();
    }
  }

  // Resolves once the browser has drawn what the page holds now.
  function nextFrame() {
    return new Promise(function (resolve) { window.requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
  }

  function restart() { shown = PAGE; run(); }

  async function start() {
    try {
      pagefind = await import(siteRoot + "pagefind/pagefind.js");
      await pagefind.options({ baseUrl: siteRoot, bundlePath: siteRoot + "pagefind/" });
      // Asked of the server each time ("no-cache"): a stale list would name shards a new build has replaced.
      var manifest = await (await fetch(siteRoot + "pagefind/shards.json", { cache: "no-cache" })).json();
      // A shard's records hold its label (its first month) as their hidden `shard` filter value.
      shardNames = manifest.shards.map(function (shard) { return shard.label; }).concat([manifest.pages]);
      await Promise.all(manifest.shards.map(function (shard) {
        return pagefind.mergeIndex(siteRoot + "pagefind/shards/" + shard.name + "/", { baseUrl: siteRoot });
      }));
      filterNames = manifest.filters || [];
      await pagefind.init();
      if (Object.keys(wanted).length) { await loadFilterValues(); }  // a link chose filters: their groups open with them checked
    } catch (error) {
      status.textContent = "The search index could not be loaded. Browse all incidents by month or by region instead.";
      return;
    }
    // The filters first, on their own: on a narrow screen they stand above the results, which
    // would move down if both came in the same frame. Results come in a later one.
    writeHelp();
    drawFilters(null, wanted);
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
  var wanted = {};
  FILTER_NAMES.forEach(function (entry) { if (params.getAll(entry[0]).length) { wanted[entry[0]] = params.getAll(entry[0]); } });
  input.value = params.get("q") || "";
  orderControl.value = ["newest", "oldest"].indexOf(params.get("order")) >= 0 ? params.get("order") : "relevance";
  status.textContent = input.value.trim() ? "Searching\u2026" : "\u00a0";
  input.focus();
  start();
})();
