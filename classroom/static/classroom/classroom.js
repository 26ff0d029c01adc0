// Classroom pages: dates in the visitor's own time zone, and that zone sent with forms.
// The server writes every date as <time datetime="...Z">UTC text</time>; date fields
// (datetime-local) carry no zone, so each form gets a hidden "tz" field with the
// browser's zone, in which the server reads them.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  // (dateStyle and timeStyle cannot be combined with timeZoneName: fields instead.)
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
  document.querySelectorAll("time[data-local]").forEach(function (element) {
    var when = new Date(element.getAttribute("datetime"));
    if (!isNaN(when.getTime())) {
      element.textContent = format.format(when);
      element.title = "Your time zone: " + zone;
    }
  });
  document.querySelectorAll("input[name=tz]").forEach(function (input) {
    input.value = zone;
  });
  // A datetime-local field given as UTC by the server ("data-utc") shows local time.
  document.querySelectorAll("input[type=datetime-local][data-utc]").forEach(function (input) {
    var when = new Date(input.getAttribute("data-utc"));
    if (isNaN(when.getTime())) return;
    var local = new Date(when.getTime() - when.getTimezoneOffset() * 60000);
    input.value = local.toISOString().slice(0, 16);
  });
  // A submission still waiting for its grade: look again in a few seconds (the
  // page is all server-rendered; what was typed in its forms is not at stake here).
  if (document.querySelector("[data-grading-pending]")) {
    setTimeout(function () {
      window.location.reload();
    }, 3000);
  }
})();
