// Registers the service worker that keeps visited pages for offline reading (site.yaml: offline_cache).
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || window.location.protocol === "file:") { return; }
  var script = document.currentScript;
  navigator.serviceWorker.register(script.getAttribute("data-worker"), { scope: script.getAttribute("data-scope") });
})();
