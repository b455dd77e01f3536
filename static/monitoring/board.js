// Boards that move: an element with data-live="<fragment url>" is replaced by the
// fragment fetched every data-every milliseconds (0.5 s). No library, no inline script
// (CSP script-src 'self'). Polling pauses while the tab is hidden and while a request
// is in flight; a failed request keeps the last board and tries again next time.
(function () {
  "use strict";
  var el = document.querySelector("[data-live]");
  if (!el || !window.fetch) return;
  var url = el.getAttribute("data-live");
  var every = parseInt(el.getAttribute("data-every"), 10) || 1000;
  var busy = false;
  var tick = function () {
    if (busy || document.hidden) return;
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" }, cache: "no-store" })
      .then(function (r) {
        // Signed out meanwhile: the fragment request was sent to the sign-in page.
        if (r.redirected) { window.location.reload(); throw new Error("signed out"); }
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (html) {
        el.innerHTML = html;
        el.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* keep the last board */ })
      .then(function () { busy = false; });
  };
  window.setInterval(tick, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
})();
