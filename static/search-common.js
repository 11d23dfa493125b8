// What the two search pages share: the online one (static/search.js) and the offline copy's
// (static/offline-search.js, opened from file://), both on static/search-engine.js. Each page
// loads this file first. A classic script, not a module: browsers refuse module scripts on
// file:// pages.
//
// One global, SearchCommon (not ArchiveSearch: that is search-engine.js's, which the index files
// call). Everything here that reaches the page is written with textContent: titles,
// dates, regions, readings and filter values come from contributors' files and are never markup.
var SearchCommon = (function () {
  "use strict";
  // Shown in this order, with these names (archive/search.py FILTERS); a filter the index does not have is not shown.
  var FILTER_NAMES = [["region", "Region"], ["place", "Place"], ["year", "Year"], ["measure", "Measure"], ["claimant", "Claimant"], ["weapon", "Weapon"]];
  var MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

  // --- dates in the words --------------------------------------------------------------------
  // A date in the words (2022-03-16, 16 March 2022, March 2022, 2022-03) becomes the hidden `date`
  // filter (the incident's ISO date), and the other words are searched.

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

  // --- filters -------------------------------------------------------------------------------

  // "Narrow the results by region, year or claimant.", naming the filters of `entries` (FILTER_NAMES entries).
  function filtersHelp(entries) {
    var names = entries.map(function (entry) { return entry[1].toLowerCase(); });
    return names.length ? "Narrow the results by " + (names.length > 1 ? names.slice(0, -1).join(", ") + " or " + names[names.length - 1] : names[0]) + "." : "";
  }

  // A filter's values in the order shown: years newest first, the others alphabetically.
  function sortedValues(name, values) {
    var names = values.slice();
    return name === "year" ? names.sort().reverse() : names.sort(function (a, b) { return a.localeCompare(b); });
  }

  // One filter as a <details> with a checkbox per value (in the order given); `text(value)` is the
  // label of a value, `checked(value)` (when given) whether its box is ticked.
  function filterGroup(name, label, values, text, checked) {
    var group = document.createElement("details");
    var summary = document.createElement("summary");
    summary.textContent = label;
    group.appendChild(summary);
    values.forEach(function (value, index) {
      var row = document.createElement("div");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      box.value = value;
      box.id = "filter-" + name + "-" + index;
      box.checked = checked(value);
      var caption = document.createElement("label");
      caption.htmlFor = box.id;
      caption.textContent = text(value);
      row.appendChild(box);
      row.appendChild(caption);
      group.appendChild(row);
    });
    return group;
  }

  // One <details> per filter in `holder`, drawn anew (those open stay open), for each of `shown` (entries of
  // FILTER_NAMES): a checkbox per value of the filter in `filters` (a Map from name to a Map from value to the Set of
  // its documents), labelled `label(name, value)`, ticked and its group open when `chosen` (a Map from name to values)
  // has it. A filter not loaded (yet: its file may have failed) shows the values chosen alone, by name, so that they
  // stay chosen and a reader can untick them; with none, it is its name alone.
  function drawFilters(holder, shown, filters, chosen, label) {
    var open = new Set();
    holder.querySelectorAll("details").forEach(function (group) { if (group.open) { open.add(group.dataset.filter); } });
    holder.textContent = "";
    shown.forEach(function (entry) {
      var name = entry[0];
      var ticked = chosen.get(name) || [];
      var loaded = filters.has(name);
      var names = sortedValues(name, loaded ? Array.from(filters.get(name).keys()) : ticked);
      var group = filterGroup(name, entry[1], names, function (value) { return loaded ? label(name, value) : value; },
        function (value) { return ticked.indexOf(value) >= 0; });
      group.dataset.filter = name;
      group.open = open.has(name) || names.some(function (value) { return ticked.indexOf(value) >= 0; });
      holder.appendChild(group);
    });
  }

  // The values ticked in the filters drawn in `holder`, as a Map from filter name to [value, ...].
  function chosenFilters(holder) {
    var chosen = new Map();
    holder.querySelectorAll("input:checked").forEach(function (box) {
      if (!chosen.has(box.name)) { chosen.set(box.name, []); }
      chosen.get(box.name).push(box.value);
    });
    return chosen;
  }

  // The filters an address chose (?region=Kyiv&place=...), as a Map from name to values.
  function addressFilters(search) {
    var params = new URLSearchParams(search);
    var chosen = new Map();
    FILTER_NAMES.forEach(function (entry) { if (params.getAll(entry[0]).length) { chosen.set(entry[0], params.getAll(entry[0])); } });
    return chosen;
  }

  // Loads the filters of `names` that `filters` (a Map from name to values) lacks; resolves to whether any came.
  // One whose file could not be loaded is left out: the next call asks for it again.
  function loadFilters(engine, filters, names) {
    return Promise.all(names.filter(function (name) { return !filters.has(name); }).map(function (name) {
      return engine.filter(name).then(function (values) {
        if (values) { filters.set(name, values); }
        return Boolean(values);
      });
    })).then(function (came) { return came.some(Boolean); });
  }

  // The filters of FILTER_NAMES that the index has, in that order: the ones a page shows.
  function shownFilters(engine) {
    var names = engine.filterNames();
    return FILTER_NAMES.filter(function (entry) { return names.indexOf(entry[0]) >= 0; });
  }

  // --- one search ----------------------------------------------------------------------------

  // What a search of `term` asks, in `order`, with the filters `chosen` (a Map from name to values): the words searched
  // (a date in them becomes the `date` filter), the date, the filters it uses (`wanted`), whether it is filtered by
  // the reader, and whether the regions it names come first (a relevance search of words alone).
  function query(term, order, chosen) {
    var date = dateIn(term);
    var words = date ? date.rest : term;
    var wanted = new Map(chosen);
    if (date) { wanted.set("date", date.days); }
    return { words: words, date: date, order: order, wanted: wanted, filtered: chosen.size > 0,
      regionsFirst: Boolean(words) && order === "relevance" && !wanted.size };
  }

  // The filters a search (`asked`: a query) needs loaded.
  function filtersNeeded(asked) {
    return Array.from(asked.wanted.keys()).concat(asked.regionsFirst ? ["kind"] : []);
  }

  // The results of `asked` (a query), with `filters` loaded (filtersNeeded): resolves to {ordered: [{doc, score}],
  // docs: the documents of the first `shown`, null for one whose file could not be loaded}. Without words there
  // is no relevance: the results come newest first (engine.order), as month pages list them.
  function find(engine, filters, asked, shown) {
    return engine.search(asked.words, asked.wanted.size > 0).then(function (found) {
      var ordered = engine.order(passing(found, asked.wanted, filters), asked.order);
      if (asked.regionsFirst) { ordered = regionsFirst(ordered, (filters.get("kind") || new Map()).get("region") || new Set()); }
      return Promise.all(ordered.slice(0, shown).map(function (result) { return engine.documentOf(result.doc); }))
        .then(function (docs) { return { ordered: ordered, docs: docs }; });
    });
  }

  // Draws `results` (find's) of `asked` at once: the list (`href(url)` a result's link), the status line (saying so
  // when the search `lacked` files of the index: see incomplete), and whether `more` results can be shown.
  function drawResults(parts, engine, asked, results, shown, href, lacked) {
    var folded = engine.wordsOf(asked.words);
    var docs = results.docs.filter(Boolean);  // (a documents file that could not be loaded: the status line says so)
    parts.list.textContent = "";
    docs.forEach(function (doc) { parts.list.appendChild(resultItem(doc, href(doc[0]), folded, engine.wordsOf)); });
    parts.list.hidden = docs.length === 0;  // an empty list takes no room (its margins would move with the filters)
    parts.status.textContent = describe(results.ordered.length, asked.words, asked.date, asked.filtered, lacked);
    parts.more.hidden = results.ordered.length <= shown;
  }

  // The results ({doc, score}) that have, for each filter `wanted` names (a Map from name to values), one of its
  // values; `filters` maps each filter's name to its Map from value to the Set of its documents (search-engine.js).
  function passing(results, wanted, filters) {
    var sets = [];
    wanted.forEach(function (values, name) {
      var documents = filters.get(name) || new Map();
      sets.push(values.map(function (value) { return documents.get(value); }).filter(Boolean));
    });
    return results.filter(function (result) {
      return sets.every(function (any) { return any.some(function (documents) { return documents.has(result.doc); }); });
    });
  }

  // The regions among the results (at most three; `regions` the Set of the regions' documents) first: a search
  // finds a region by its names, and a region's page lists its incidents, which rank by their own words.
  function regionsFirst(ordered, regions) {
    var named = ordered.filter(function (result) { return regions.has(result.doc); }).slice(0, 3);
    return named.concat(ordered.filter(function (result) { return named.indexOf(result) < 0; }));
  }

  // --- results -------------------------------------------------------------------------------

  function detail(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  // A result's details as shown: its date (`iso` the ISO date, when known), regions and key readings
  // (" · " between them), or that it is a region. Null when it has none.
  function resultDetails(shownDate, iso, regions, readings, isRegion) {
    var details = detail("row-details", "");
    if (shownDate) {
      var date = document.createElement("time");
      date.className = "result-date";
      date.textContent = shownDate;
      if (iso) { date.dateTime = iso; }
      details.appendChild(date);
    }
    if (regions) { details.appendChild(detail("row-regions", regions)); }
    if (readings) {
      var list = detail("row-readings", "");
      readings.split(" \u00b7 ").forEach(function (reading) { list.appendChild(detail("row-reading", reading)); });
      details.appendChild(list);
    }
    if (isRegion) { details.appendChild(detail("result-kind", "Region")); }
    return details.childNodes.length ? details : null;
  }

  // About 240 characters of `text` around the first word that starts with one of `words` (folded by `wordsOf`).
  function snippet(text, words, wordsOf) {
    var parts = text.split(/(\s+)/);
    var first = parts.findIndex(function (part) { return found(part, words, wordsOf); });
    var start = 0;
    if (first > 0) {
      var length = 0;
      start = first;
      while (start > 0 && length < 80) { start -= 1; length += parts[start].length; }
    }
    var picked = [];
    var size = 0;
    for (var i = start; i < parts.length && size < 240; i++) { picked.push(parts[i]); size += parts[i].length; }
    return (start > 0 ? "\u2026 " : "") + picked.join("").trim() + (i < parts.length ? " \u2026" : "");
  }

  function found(part, words, wordsOf) {
    return wordsOf(part).some(function (w) { return words.some(function (q) { return w.indexOf(q) === 0; }); });
  }

  // `text` with each part that holds a word found in a <mark>.
  function highlighted(text, words, wordsOf) {
    var fragment = document.createDocumentFragment();
    text.split(/(\s+)/).forEach(function (part) {
      if (found(part, words, wordsOf)) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(part));
      }
    });
    return fragment;
  }

  // A result: its title linking to `href`; date, regions and key readings (or that it is a region); a snippet of
  // its own text with the words found marked. `doc` is [url, title, kind, ISO date, context, date, regions, readings]
  // (see static/search-engine.js), `words` the words searched, folded.
  function resultItem(doc, href, words, wordsOf) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = href;
    link.className = "result-title";
    link.textContent = doc[1];
    item.appendChild(link);
    var details = resultDetails(doc[5], doc[3], doc[6], doc[7], doc[2] === "region");
    if (details) { item.appendChild(details); }
    if (doc[4]) {
      var excerpt = document.createElement("p");
      excerpt.className = "result-snippet";
      excerpt.appendChild(highlighted(snippet(doc[4], words, wordsOf), words, wordsOf));
      item.appendChild(excerpt);
    }
    return item;
  }

  // The status line: "3 results for “Kyiv” in March 2022 with the filters chosen"; a no-break space
  // (keeping the line's height) when nothing is asked. `incomplete`: files of the index the search
  // needed could not be loaded (see incomplete), which the line then says.
  function describe(count, words, date, filtered, incomplete) {
    if (!words && !date && !filtered) { return "\u00a0"; }
    var text = count + " result" + (count === 1 ? "" : "s");
    if (words) { text += " for \u201c" + words + "\u201d"; }
    if (date) { text += " " + date.label; }
    text += filtered ? " with the filters chosen" : "";
    return incomplete ? text + ". " + INCOMPLETE : text;
  }

  // Whether a search lacks files it needed: words or documents files that failed while it ran (`failures`: the
  // engine's count when it started), or a filter it uses (`wanted`, a Map from name to values) not loaded.
  function incomplete(engine, failures, wanted, filters) {
    return engine.failuresSoFar() > failures || Array.from(wanted.keys()).some(function (name) { return !filters.has(name); });
  }

  var INCOMPLETE = "Part of the search index could not be loaded, so there may be more results than these. " +
    "Search again, or check your connection.";

  // The parts of a search form (templates/_search.html; `prefix` names them, `formId` is the form's), shown at once,
  // before the rest of the page is read: the form in place of the note that search needs JavaScript, the words and
  // order of the address, and room for a page of results.
  function openForm(prefix, formId) {
    var parts = { form: document.getElementById(formId) };
    ["q", "order", "filters", "help", "results", "status", "more"].forEach(function (name) {
      parts[name] = document.getElementById(prefix + "-" + name);
    });
    parts.list = parts.results;
    var params = new URLSearchParams(window.location.search);
    document.getElementById("search-needs-js").hidden = true;
    parts.form.hidden = false;
    parts.list.hidden = true;
    parts.q.value = params.get("q") || "";
    parts.order.value = ["newest", "oldest"].indexOf(params.get("order")) >= 0 ? params.get("order") : "relevance";
    parts.status.textContent = parts.q.value.trim() ? "Searching\u2026" : "\u00a0";
    parts.q.focus();
    return parts;
  }

  var NO_INDEX = "The search index could not be loaded. Browse all incidents by month or by region instead.";

  return Object.freeze({
    NO_INDEX: NO_INDEX, filtersHelp: filtersHelp, openForm: openForm,
    shownFilters: shownFilters, drawFilters: drawFilters, chosenFilters: chosenFilters, addressFilters: addressFilters,
    loadFilters: loadFilters, query: query, filtersNeeded: filtersNeeded, find: find, drawResults: drawResults,
    incomplete: incomplete
  });
})();
