// Light or dark: follows the system until the reader chooses, then remembers the choice.
// Loaded in <head> so the chosen theme applies before the page is drawn.
(function () {
  "use strict";
  var KEY = "incident-archive-theme";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }
  }
  function apply(theme) {
    if (theme === "light" || theme === "dark") {
      root.setAttribute("data-theme", theme);
    } else {
      root.removeAttribute("data-theme");
    }
  }
  function current() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) { return chosen; }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  apply(stored());
  root.classList.add("has-theme-toggle");  // before the page is drawn: its place in the header is kept for it
  document.addEventListener("DOMContentLoaded", function () {
    var row = document.querySelector(".theme-slot") || document.querySelector(".header-row");
    if (!row) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "theme-toggle";
    function label() {
      var next = current() === "dark" ? "light" : "dark";
      button.textContent = next === "dark" ? "Dark" : "Light";
      button.setAttribute("aria-label", "Switch to the " + next + " theme");
    }
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      apply(next);
      try { window.localStorage.setItem(KEY, next); } catch (error) { /* private mode: not remembered */ }
      label();
    });
    label();
    row.appendChild(button);
  });
})();
