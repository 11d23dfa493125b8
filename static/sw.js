// Service worker (only when site.yaml sets offline_cache: true): keeps a copy of every page
// and file the reader visits, so they can reopen them without a network. Network first:
// a reader online always gets the current page; the copy is for when the network is gone.
"use strict";
var CACHE = "incident-archive-visited";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The search index's index.js is asked for with the time as its query (static/search-engine.js), so that
// no browser cache answers for it: its copy is kept under its address without the query, one copy only.
function keyOf(request) {
  var address = new URL(request.url);
  if (/\/search-index\/index\.js$/.test(address.pathname)) { address.search = ""; }
  return address.href;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  var key = keyOf(request);
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(key).then(function (cached) {
        return cached || new Response("Offline, and this page was not visited before.", {
          status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" }
        });
      });
    })
  );
});
