// The search page: Pagefind's index (through its JavaScript API) with a form, filters and
// results drawn here. Every title, excerpt and filter value comes from contributors' files,
// so each is written with textContent and never parsed as HTML; Pagefind's own UI writes
// filter values and excerpts with innerHTML, which is why it is not used.
const script = document.querySelector("script[data-root]");
const siteRoot = new URL(script.getAttribute("data-root") || "../", window.location.href).pathname;
const PAGE = 20;
const EXCERPT_WORDS = 36;
const FILTER_NAMES = { region: "Region", year: "Year", measure: "Measure", claimant: "Claimant", weapon: "Weapon" };

const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const orderControl = document.getElementById("search-order");
const filtersHolder = document.getElementById("search-filters");
const list = document.getElementById("search-results");
const status = document.getElementById("search-status");
const more = document.getElementById("search-more");

let pagefind = null;
let shown = PAGE;
let latest = 0;  // each change starts a search; only the latest may draw its results
let typingTimer = 0;

function sortFor(order) {
  if (order === "newest") { return { date: "desc" }; }
  if (order === "oldest") { return { date: "asc" }; }
  return {};
}

function chosenFilters() {
  const chosen = {};
  filtersHolder.querySelectorAll("input:checked").forEach(function (box) {
    (chosen[box.name] = chosen[box.name] || []).push(box.value);
  });
  return chosen;
}

// The search in the address, so that a search is a link a reader can share or go back to.
function remember(term, order, chosen) {
  const params = new URLSearchParams();
  if (term) { params.set("q", term); }
  if (order !== "relevance") { params.set("order", order); }
  Object.keys(chosen).forEach(function (name) {
    chosen[name].forEach(function (value) { params.append(name, value); });
  });
  const query = params.toString();
  window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
}

function filterValues(values, name) {
  const names = Object.keys(values);
  return name === "year" ? names.sort().reverse() : names.sort(function (a, b) { return a.localeCompare(b); });
}

// One <details> per filter with a checkbox per value; counts say how many results each value keeps.
function drawFilters(all, counts, chosen) {
  const open = {};
  filtersHolder.querySelectorAll("details").forEach(function (group) { open[group.dataset.filter] = group.open; });
  filtersHolder.textContent = "";
  Object.keys(FILTER_NAMES).forEach(function (name) {
    const values = all[name];
    if (!values || !Object.keys(values).length) { return; }
    const group = document.createElement("details");
    group.dataset.filter = name;
    group.open = Boolean(open[name] || chosen[name]);
    const summary = document.createElement("summary");
    summary.textContent = FILTER_NAMES[name];
    group.appendChild(summary);
    filterValues(values, name).forEach(function (value, index) {
      const row = document.createElement("div");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      box.value = value;
      box.id = "filter-" + name + "-" + index;
      box.checked = Boolean(chosen[name] && chosen[name].indexOf(value) >= 0);
      const label = document.createElement("label");
      label.htmlFor = box.id;
      const count = counts && counts[name] && Object.prototype.hasOwnProperty.call(counts[name], value) ? counts[name][value] : values[value];
      label.textContent = value + " (" + count + ")";
      row.appendChild(box);
      row.appendChild(label);
      group.appendChild(row);
    });
    filtersHolder.appendChild(group);
  });
}

// About EXCERPT_WORDS words of the page's text around the first word found, the words found marked.
function excerpt(data) {
  const words = data.content.split(/[\r\n\s]+/g);
  const found = new Set(data.locations || []);
  const first = data.locations && data.locations.length ? Math.min.apply(null, data.locations) : 0;
  const start = Math.max(0, Math.min(first - 8, words.length - EXCERPT_WORDS));
  const end = Math.min(words.length, start + EXCERPT_WORDS);
  const paragraph = document.createElement("p");
  if (start > 0) { paragraph.appendChild(document.createTextNode("\u2026 ")); }
  for (let index = start; index < end; index++) {
    if (index > start) { paragraph.appendChild(document.createTextNode(" ")); }
    if (found.has(index)) {
      const mark = document.createElement("mark");
      mark.textContent = words[index];
      paragraph.appendChild(mark);
    } else {
      paragraph.appendChild(document.createTextNode(words[index]));
    }
  }
  if (end < words.length) { paragraph.appendChild(document.createTextNode(" \u2026")); }
  return paragraph;
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.className = "result-title";
  link.textContent = data.meta.title || data.url;
  item.appendChild(link);
  if (data.meta.date) {
    const date = document.createElement("span");
    date.className = "muted";
    date.textContent = " \u00b7 " + data.meta.date;
    item.appendChild(date);
  }
  item.appendChild(excerpt(data));
  return item;
}

function describe(count, term, chosen) {
  const filtered = Object.keys(chosen).length > 0;
  if (!term && !filtered) { return ""; }
  const what = count + " result" + (count === 1 ? "" : "s");
  return term ? what + " for \u201c" + term + "\u201d" + (filtered ? " with the filters chosen" : "") : what + " with the filters chosen";
}

async function run() {
  const ticket = ++latest;
  const term = input.value.trim();
  const order = orderControl.value;
  const chosen = chosenFilters();
  remember(term, order, chosen);
  const all = await pagefind.filters();
  if (!term && !Object.keys(chosen).length) {
    if (ticket !== latest) { return; }
    drawFilters(all, null, chosen);
    list.textContent = "";
    status.textContent = "";
    more.hidden = true;
    return;
  }
  const filters = {};
  Object.keys(chosen).forEach(function (name) { filters[name] = { any: chosen[name] }; });
  const search = await pagefind.search(term || null, { filters: filters, sort: sortFor(order) });
  const results = search ? search.results : [];
  const page = await Promise.all(results.slice(0, shown).map(function (result) { return result.data(); }));
  if (ticket !== latest) { return; }  // a newer search has started; its results will be drawn instead
  drawFilters(all, search ? search.filters : null, chosen);
  list.textContent = "";
  page.forEach(function (data) { list.appendChild(resultItem(data)); });
  status.textContent = describe(results.length, term, chosen);
  more.hidden = results.length <= shown;
}

function restart() { shown = PAGE; run(); }

async function start() {
  document.getElementById("search-needs-js").hidden = true;
  form.hidden = false;
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  orderControl.value = ["newest", "oldest"].indexOf(params.get("order")) >= 0 ? params.get("order") : "relevance";
  try {
    pagefind = await import(siteRoot + "pagefind/pagefind.js");
    await pagefind.options({ baseUrl: siteRoot, bundlePath: siteRoot + "pagefind/" });
    await pagefind.init();
  } catch (error) {
    status.textContent = "The search index could not be loaded. Browse all incidents by month or by region instead.";
    return;
  }
  const wanted = {};
  Object.keys(FILTER_NAMES).forEach(function (name) { if (params.getAll(name).length) { wanted[name] = params.getAll(name); } });
  drawFilters(await pagefind.filters(), null, wanted);
  form.addEventListener("submit", function (event) { event.preventDefault(); restart(); });
  input.addEventListener("input", function () { clearTimeout(typingTimer); typingTimer = setTimeout(restart, 200); });
  orderControl.addEventListener("change", restart);
  filtersHolder.addEventListener("change", restart);
  more.addEventListener("click", function () { shown += PAGE; run(); });
  input.focus();
  run();
}

start();
