// The search page: Pagefind's index (through its JavaScript API) with a form, filters and
// results drawn here. Every title, snippet, date, region, reading and filter value comes from
// contributors' files, so each is written with textContent and never parsed as HTML; Pagefind's
// own UI writes filter values and excerpts with innerHTML, which is why it is not used.
//
// Loaded right after the form (not at the end of the page): it shows the form and reserves the
// room results take before the footer is laid out, so results arriving never shift the page.
// A date in the words (2022-03-16, 16 March 2022, March 2022, 2022-03) becomes the hidden `date`
// filter (the incident's ISO date), and the other words are searched: Pagefind would otherwise
// split a date into numbers that match half the archive.
(function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = new URL(script.getAttribute("data-root") || "../", window.location.href).pathname;
  var PAGE = 20;
  var SNIPPET_WORDS = 36;
  // Shown in this order, with these names (archive/search.py FILTERS); a filter the index does not have is not shown.
  var FILTER_NAMES = [["region", "Region"], ["year", "Year"], ["measure", "Measure"], ["claimant", "Claimant"], ["weapon", "Weapon"]];
  var MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var orderControl = document.getElementById("search-order");
  var filtersHolder = document.getElementById("search-filters");
  var help = document.getElementById("search-help");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var more = document.getElementById("search-more");

  var pagefind = null;
  var allFilters = {};
  var shown = PAGE;
  var latest = 0;  // each change starts a search; only the latest may draw its results
  var typingTimer = 0;

  // --- dates in the words --------------------------------------------------------------------

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function monthNumber(name) {
    var lower = name.toLowerCase();
    for (var index = 0; index < MONTHS.length; index++) {
      if (MONTHS[index] === lower || (lower.length >= 3 && MONTHS[index].indexOf(lower.replace(/\.$/, "")) === 0)) { return index + 1; }
    }
    return 0;
  }

  function daysIn(year, month) { return new Date(Date.UTC(year, month, 0)).getUTCDate(); }

  // The first date or month in `query`: {days: [ISO dates], label, rest: the other words}, or null.
  function dateIn(query) {
    var monthWord = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";
    var patterns = [
      [new RegExp("(?:^|\\s)(\\d{4})-(\\d{1,2})-(\\d{1,2})(?=\\s|$)"), function (m) { return [+m[1], +m[2], +m[3], true]; }],
      [new RegExp("(?:^|\\s)(\\d{1,2})(?:st|nd|rd|th)?\\s+" + monthWord + ",?\\s+(\\d{4})(?=\\s|$)", "i"), function (m) { return [+m[3], monthNumber(m[2]), +m[1], true]; }],
      [new RegExp("(?:^|\\s)" + monthWord + "\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?=\\s|$)", "i"), function (m) { return [+m[3], monthNumber(m[1]), +m[2], true]; }],
      [new RegExp("(?:^|\\s)(\\d{4})-(\\d{1,2})(?=\\s|$)"), function (m) { return [+m[1], +m[2], 0, false]; }],
      [new RegExp("(?:^|\\s)" + monthWord + ",?\\s+(\\d{4})(?=\\s|$)", "i"), function (m) { return [+m[2], monthNumber(m[1]), 0, false]; }]
    ];
    for (var index = 0; index < patterns.length; index++) {
      var match = patterns[index][0].exec(query);
      if (!match) { continue; }
      var parts = patterns[index][1](match);
      var year = parts[0], month = parts[1], day = parts[2];
      if (month < 1 || month > 12 || (parts[3] && (day < 1 || day > daysIn(year, month)))) { continue; }
      var rest = (query.slice(0, match.index) + " " + query.slice(match.index + match[0].length)).replace(/\s+/g, " ").trim();
      var monthName = MONTHS[month - 1].charAt(0).toUpperCase() + MONTHS[month - 1].slice(1);
      if (parts[3]) {
        return { days: [year + "-" + pad(month) + "-" + pad(day)], label: "on " + day + " " + monthName + " " + year, rest: rest };
      }
      var days = [];
      for (var d = 1; d <= daysIn(year, month); d++) { days.push(year + "-" + pad(month) + "-" + pad(d)); }
      return { days: days, label: "in " + monthName + " " + year, rest: rest };
    }
    return null;
  }

  // --- the form ------------------------------------------------------------------------------

  function sortFor(order) {
    if (order === "newest") { return { date: "desc" }; }
    if (order === "oldest") { return { date: "asc" }; }
    return {};
  }

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

  function present(name) { return allFilters[name] && Object.keys(allFilters[name]).length > 0; }

  // "Narrow the results by region, year or claimant.": only the filters this index has.
  function writeHelp() {
    var names = FILTER_NAMES.filter(function (entry) { return present(entry[0]); }).map(function (entry) { return entry[1].toLowerCase(); });
    help.textContent = names.length ? "Narrow the results by " + (names.length > 1 ? names.slice(0, -1).join(", ") + " or " + names[names.length - 1] : names[0]) + "." : "";
  }

  function filterValues(values, name) {
    var names = Object.keys(values);
    return name === "year" ? names.sort().reverse() : names.sort(function (a, b) { return a.localeCompare(b); });
  }

  // One <details> per filter with a checkbox per value; counts say how many results each value keeps.
  function drawFilters(counts, chosen) {
    var open = {};
    filtersHolder.querySelectorAll("details").forEach(function (group) { open[group.dataset.filter] = group.open; });
    filtersHolder.textContent = "";
    FILTER_NAMES.forEach(function (entry) {
      var name = entry[0];
      if (!present(name)) { return; }
      var values = allFilters[name];
      var group = document.createElement("details");
      group.dataset.filter = name;
      group.open = Boolean(open[name] || chosen[name]);
      var summary = document.createElement("summary");
      summary.textContent = entry[1];
      group.appendChild(summary);
      filterValues(values, name).forEach(function (value, index) {
        var row = document.createElement("div");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = value;
        box.id = "filter-" + name + "-" + index;
        box.checked = Boolean(chosen[name] && chosen[name].indexOf(value) >= 0);
        var label = document.createElement("label");
        label.htmlFor = box.id;
        var count = counts && counts[name] && Object.prototype.hasOwnProperty.call(counts[name], value) ? counts[name][value] : values[value];
        label.textContent = value + " (" + count + ")";
        row.appendChild(box);
        row.appendChild(label);
        group.appendChild(row);
      });
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

  function detail(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
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
    var details = document.createElement("span");
    details.className = "row-details";
    if (meta.date) {
      var date = document.createElement("time");
      date.className = "result-date";
      date.textContent = meta.date;
      if (data.filters && data.filters.date) { date.dateTime = data.filters.date[0]; }  // the ISO date
      details.appendChild(date);
    }
    if (meta.regions) { details.appendChild(detail("row-regions", meta.regions)); }
    if (meta.readings) {
      var readings = detail("row-readings", "");
      meta.readings.split(" \u00b7 ").forEach(function (reading) { readings.appendChild(detail("row-reading", reading)); });
      details.appendChild(readings);
    }
    if (data.filters && data.filters.kind && data.filters.kind.indexOf("region") >= 0) { details.appendChild(detail("result-kind", "Region")); }
    if (details.childNodes.length) { item.appendChild(details); }
    if (data.content) { item.appendChild(snippet(data)); }
    return item;
  }

  // The regions `words` name (by their names, other spellings or code), at most three: shown first,
  // since a region's page lists its incidents, which rank by their own words.
  async function regionsNamed(words) {
    var found = await pagefind.search(words, { filters: { kind: { any: ["region"] } } });
    return found ? found.results.slice(0, 3) : [];
  }

  function firstThen(first, results) {
    var ids = new Set(first.map(function (result) { return result.id; }));
    return first.concat(results.filter(function (result) { return !ids.has(result.id); }));
  }

  function describe(count, words, date, chosen) {
    var filtered = Object.keys(chosen).length > 0;
    if (!words && !date && !filtered) { return "\u00a0"; }
    var text = count + " result" + (count === 1 ? "" : "s");
    if (words) { text += " for \u201c" + words + "\u201d"; }
    if (date) { text += " " + date.label; }
    return text + (filtered ? " with the filters chosen" : "");
  }

  async function run() {
    var ticket = ++latest;
    var term = input.value.trim();
    var order = orderControl.value;
    var chosen = chosenFilters();
    remember(term, order, chosen);
    var date = dateIn(term);
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
    var search = await pagefind.search(words || null, { filters: filters, sort: sortFor(order) });
    var results = search ? search.results : [];
    var shownFirst = words && order === "relevance" && !date && !Object.keys(chosen).length ? await regionsNamed(words) : [];
    var page = await Promise.all(firstThen(shownFirst, results).slice(0, shown).map(function (result) { return result.data(); }));
    if (ticket !== latest) { return; }  // a newer search has started; its results will be drawn instead
    // Filters, status and results change together, in one frame.
    drawFilters(search ? search.filters : null, chosen);
    list.textContent = "";
    page.forEach(function (data) { list.appendChild(resultItem(data)); });
    list.hidden = page.length === 0;  // an empty list takes no room (its margins would move with the filters)
    status.textContent = describe(results.length, words, date, chosen);
    more.hidden = results.length <= shown;
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
      await pagefind.init();
      allFilters = await pagefind.filters();
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
