// Live preview for authors: when a content file, a template, a stylesheet or
// the config changes, the server says so and this page reloads itself.
(function () {
  "use strict";
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
