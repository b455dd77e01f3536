/* Inspections on a phone (no inline script: the CSP forbids it).
 * - Signatures: draw on a canvas with finger or pen; the PNG data URL goes into the hidden
 *   field the canvas names (data-target).
 * - Position: forms with data-geo="1" get latitude/longitude from the device.
 * - Drafts: a form with data-draft keeps what is typed (and its submission token) in
 *   localStorage. After a dropped connection the page restores the draft with its old
 *   token, so sending again is recognised by the server and recorded once. A draft whose
 *   token the server lists as recorded (data-recorded) is dropped.
 */
(function () {
  "use strict";

  var PREFIX = "anjian-inspection-draft:";

  function hidden(form, name) {
    return form.querySelector('input[type="hidden"][name="' + name + '"]');
  }

  // --- position --------------------------------------------------------------------------
  function locate(form) {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        var lat = hidden(form, "latitude");
        var lon = hidden(form, "longitude");
        if (lat) lat.value = pos.coords.latitude.toFixed(6);
        if (lon) lon.value = pos.coords.longitude.toFixed(6);
      },
      function () { /* refused or unavailable: recorded without a position */ },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  // --- signatures ------------------------------------------------------------------------
  function paint(canvas, dataUrl) {
    var ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!dataUrl) return;
    var img = new Image();
    img.onload = function () { ctx.drawImage(img, 0, 0); };
    img.src = dataUrl;
  }

  function signaturePad(canvas) {
    var form = canvas.closest("form");
    var target = form && hidden(form, canvas.dataset.target);
    var ctx = canvas.getContext("2d");
    var drawing = false;
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";

    function point(ev) {
      var r = canvas.getBoundingClientRect();
      return {
        x: (ev.clientX - r.left) * (canvas.width / r.width),
        y: (ev.clientY - r.top) * (canvas.height / r.height)
      };
    }
    canvas.addEventListener("pointerdown", function (ev) {
      drawing = true;
      canvas.setPointerCapture(ev.pointerId);
      var p = point(ev);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ev.preventDefault();
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drawing) return;
      var p = point(ev);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      ev.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (target) {
        target.value = canvas.toDataURL("image/png");
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  function clearButton(button) {
    button.addEventListener("click", function () {
      var form = button.closest("form");
      var name = button.dataset.clear;
      var canvas = form.querySelector('canvas[data-target="' + name + '"]');
      var target = hidden(form, name);
      if (canvas) paint(canvas, "");
      if (target) {
        target.value = "";
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  // --- check items -----------------------------------------------------------------------
  function addItem(container) {
    var rows = container.querySelectorAll(".insp-item");
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    copy.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
    container.appendChild(copy);
  }

  // --- drafts ----------------------------------------------------------------------------
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function save(form, key) {
    var data = {};
    fields(form).forEach(function (el) {
      (data[el.name] = data[el.name] || []).push(el.value);
    });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full or private */ }
  }

  function restore(form, data) {
    var items = form.querySelector("#items");
    var wanted = (data.item_text || []).length;
    while (items && items.querySelectorAll(".insp-item").length < wanted) addItem(items);
    var seen = {};
    fields(form).forEach(function (el) {
      var values = data[el.name];
      if (!values) return;
      var i = seen[el.name] || 0;
      seen[el.name] = i + 1;
      if (i < values.length && values[i] !== "") el.value = values[i];
    });
    form.querySelectorAll("canvas.insp-sig").forEach(function (canvas) {
      var target = hidden(form, canvas.dataset.target);
      if (target && target.value) paint(canvas, target.value);
    });
  }

  function draft(form) {
    var key = PREFIX + form.dataset.draft;
    var recorded = (form.dataset.recorded || "").split(" ").filter(Boolean);
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    var token = saved && saved.client_token && saved.client_token[0];
    if (token && recorded.indexOf(token) >= 0) {
      localStorage.removeItem(key);  // the server has it: the draft is done
    } else if (saved) {
      restore(form, saved);
    }
    form.addEventListener("input", function () { save(form, key); });
    form.addEventListener("change", function () { save(form, key); });
    form.addEventListener("submit", function () { save(form, key); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas.insp-sig").forEach(signaturePad);
    document.querySelectorAll("[data-clear]").forEach(clearButton);
    document.querySelectorAll("[data-add-item]").forEach(function (button) {
      button.addEventListener("click", function () {
        addItem(document.getElementById(button.dataset.addItem));
      });
    });
    document.querySelectorAll("form[data-draft]").forEach(draft);
    document.querySelectorAll('form[data-geo="1"]').forEach(locate);
  });
})();
