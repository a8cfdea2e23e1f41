// The handout page, for authors: what the check says comes a moment after the
// pages (so they show sooner); and when a content file, a template, a
// stylesheet or the config changes, the server says so and the page reloads.
(function () {
  "use strict";
  var findings = document.getElementById("findings");
  if (findings && findings.hasAttribute("data-src") && window.fetch && window.DOMParser) {
    findings.setAttribute("aria-busy", "true");
    fetch(findings.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // The server's own page, parsed inert: its section takes this one's place.
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById("findings");
        if (fresh) {
          findings.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(function () { findings.removeAttribute("aria-busy"); });
  }
  if (!document.body.hasAttribute("data-live") || !window.EventSource) {
    return;
  }
  var events = new EventSource("/events");
  events.addEventListener("open", function () {
    // Said on the page, for whoever waits to know the page is listening.
    document.body.setAttribute("data-listening", "");
  });
  events.addEventListener("changed", function () {
    events.close();
    window.location.reload();
  });
})();
