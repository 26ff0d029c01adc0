// Light or dark: the system's unless the person chose in the header (kept in
// this browser). Loaded in <head>, before the page paints, so there is no flash.
// Framed playgrounds hear of a change through the "playground-theme" event.
(function () {
  "use strict";
  var KEY = "playground:theme";
  var ORDER = ["system", "dark", "light"];
  var LABEL = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" };

  function stored() {
    try {
      var value = localStorage.getItem(KEY);
      return value === "dark" || value === "light" ? value : "system";
    } catch (error) {
      return "system";
    }
  }

  function apply(theme) {
    if (theme === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    function label() {
      var theme = stored();
      buttons.forEach(function (button) {
        button.textContent = LABEL[theme];
        button.setAttribute("aria-label", LABEL[theme] + " (change)");
      });
    }
    label();
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var next = ORDER[(ORDER.indexOf(stored()) + 1) % ORDER.length];
        try {
          if (next === "system") localStorage.removeItem(KEY);
          else localStorage.setItem(KEY, next);
        } catch (error) {
          // Not kept: it still applies to this page.
        }
        apply(next);
        label();
        window.dispatchEvent(new CustomEvent("playground-theme", { detail: next }));
      });
    });
  });
})();
