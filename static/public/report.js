/* The portal: the device's position on request (optional). The form works without it. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var button = form.querySelector("[data-locate]");
  var status = form.querySelector("[data-locate-status]");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    if (status) status.textContent = button.getAttribute("data-waiting") || "";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.querySelector('input[name="latitude"]').value = pos.coords.latitude.toFixed(6);
        form.querySelector('input[name="longitude"]').value = pos.coords.longitude.toFixed(6);
        if (status) status.textContent = (button.getAttribute("data-done") || "") + " " +
          pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      },
      function () { if (status) status.textContent = button.getAttribute("data-failed") || ""; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
