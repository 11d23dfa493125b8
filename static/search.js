// Starts Pagefind's search UI. Result links are made relative to wherever the site is
// published (at the domain root or under a sub-path such as /archive/).
(function () {
  "use strict";
  document.getElementById("search-needs-js").hidden = true;
  var siteRoot = new URL("../", window.location.href).pathname;
  var ui = new PagefindUI({
    element: "#search",
    baseUrl: siteRoot,
    bundlePath: siteRoot + "pagefind/",
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    autofocus: true
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
