// Starts Pagefind's search UI, with a choice of order: relevance (Pagefind's ranking) or date.
// Result links are made relative to wherever the site is published (the domain root or a
// sub-path such as /archive/). Every indexed page carries a date sort key, so none vanish
// from a sorted list.
(function () {
  "use strict";
  var siteRoot = new URL("../", window.location.href).pathname;
  var notice = document.getElementById("search-needs-js");
  var orderControl = document.getElementById("search-order");
  var params = new URLSearchParams(window.location.search);

  notice.hidden = true;
  orderControl.hidden = false;

  function sortFor(order) {
    if (order === "newest") { return { date: "desc" }; }
    if (order === "oldest") { return { date: "asc" }; }
    return null;
  }

  function start(order, term) {
    var ui = new PagefindUI({
      element: "#search",
      baseUrl: siteRoot,
      bundlePath: siteRoot + "pagefind/",
      showImages: false,
      showSubResults: false,
      showEmptyFilters: false,
      resetStyles: false,
      autofocus: true,
      sort: sortFor(order)
    });
    if (term) { ui.triggerSearch(term); }
  }

  function currentTerm() {
    var input = document.querySelector("#search input");
    return input ? input.value : "";
  }

  // A new order reloads the page with it in the address (Pagefind's UI takes its order once,
  // at start), which also makes an ordered search a link a reader can share.
  var select = document.getElementById("order");
  select.value = params.get("order") || "relevance";
  select.addEventListener("change", function () {
    var next = new URLSearchParams({ q: currentTerm(), order: select.value });
    window.location.search = next.toString();
  });
  start(select.value, params.get("q"));
})();
