// Trusted Types: every page's policy (require-trusted-types-for 'script') makes the browser
// refuse any text written into the page as HTML (innerHTML and the like) or run as script.
// Content is data, never markup, and this is the browser enforcing it. The one exception is
// loading this site's own scripts by address: the search index's files and the service worker,
// and only from inside the site.
(function () {
  "use strict";
  if (!window.trustedTypes || !window.trustedTypes.createPolicy) { return; }
  var self = document.currentScript.src;
  var siteRoot = self.slice(0, self.length - "static/trusted-types.js".length);
  var allowed = ["search-index/", "sw.js"].map(function (path) { return new URL(path, siteRoot).href; });
  window.trustedTypes.createPolicy("default", {
    createScriptURL: function (address) {
      var absolute = new URL(address, window.location.href).href;
      if (allowed.some(function (prefix) { return absolute.indexOf(prefix) === 0; })) { return address; }
      throw new TypeError("This site loads scripts only from its own search index: " + absolute);
    }
  });
})();
