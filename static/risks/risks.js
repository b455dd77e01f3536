// Risk pages: the assessment form's method switch and score preview, drawing a unit's
// area on the site plan, another substance row, print buttons. Every form also works
// without JavaScript (all three methods shown, points typed by hand).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- print buttons ------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // --- assessment: show the chosen method's factors, preview the product ---------------
  var assess = document.querySelector("form.assess-form");
  if (assess) {
    var method = assess.querySelector("select[name=method]");
    var sets = assess.querySelectorAll(".method-fieldset");
    var formulas = { lec: "D = L × E × C", ls: "R = L × S", mes: "R = M × E × S" };
    var preview = function (set) {
      var out = set.querySelector(".score-preview");
      var selects = set.querySelectorAll("select:not([name$=_profile])");
      var product = 1, parts = [], complete = true;
      Array.prototype.forEach.call(selects, function (select) {
        if (!select.value) { complete = false; return; }
        parts.push(select.value);
        product *= Number(select.value);
      });
      var formula = formulas[set.getAttribute("data-method")] || "";
      out.textContent = complete && parts.length
        ? formula + " = " + parts.join(" × ") + " = " + parseFloat(product.toFixed(4))
        : formula;
    };
    var show = function () {
      Array.prototype.forEach.call(sets, function (set) {
        set.hidden = set.getAttribute("data-method") !== method.value;
        preview(set);
      });
    };
    method.addEventListener("change", show);
    Array.prototype.forEach.call(sets, function (set) {
      set.addEventListener("change", function () { preview(set); });
    });
    show();
  }

  // --- drawing a unit's area on the site plan ----------------------------------------------
  var editor = document.querySelector("[data-editor]");
  var area = document.getElementById("id_area");
  if (editor && area) {
    var NS = "http://www.w3.org/2000/svg";
    var svg = editor.querySelector("svg");
    var width = Number(editor.getAttribute("data-width"));
    var height = Number(editor.getAttribute("data-height"));
    var radius = Math.max(width, height) / 160;
    var points = [];
    var parse = function (text) {
      text = (text || "").trim();
      if (!text) return [];
      if (text.charAt(0) === "[") {
        try { return JSON.parse(text); } catch (e) { return null; }
      }
      var out = [];
      var chunks = text.split(/[;；\n]+/);
      for (var i = 0; i < chunks.length; i++) {
        var chunk = chunks[i].trim();
        if (!chunk) continue;
        var m = chunk.match(/^([-+]?\d*\.?\d+)\s*[,，\s]\s*([-+]?\d*\.?\d+)$/);
        if (!m) return null;
        out.push([Number(m[1]), Number(m[2])]);
      }
      return out;
    };
    var layer = svg.querySelector(".draft-layer") || svg;
    var draw = function () {
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      if (points.length >= 2) {
        var shape = document.createElementNS(NS, points.length >= 3 ? "polygon" : "polyline");
        shape.setAttribute("class", "draft");
        shape.setAttribute("points", points.map(function (p) {
          return (p[0] * width).toFixed(1) + "," + (p[1] * height).toFixed(1);
        }).join(" "));
        layer.appendChild(shape);
      }
      points.forEach(function (p) {
        var dot = document.createElementNS(NS, "circle");
        dot.setAttribute("class", "draft-point");
        dot.setAttribute("cx", (p[0] * width).toFixed(1));
        dot.setAttribute("cy", (p[1] * height).toFixed(1));
        dot.setAttribute("r", radius.toFixed(1));
        layer.appendChild(dot);
      });
    };
    var write = function () {
      area.value = points.map(function (p) { return p[0] + ", " + p[1]; }).join("\n");
    };
    var initial = parse(area.value);
    points = initial || [];
    draw();
    editor.addEventListener("click", function (event) {
      var box = editor.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width;
      var y = (event.clientY - box.top) / box.height;
      if (x < 0 || x > 1 || y < 0 || y > 1) return;
      points.push([Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000]);
      write();
      draw();
    });
    area.addEventListener("input", function () {
      var typed = parse(area.value);
      if (typed) { points = typed; draw(); }
    });
    var undo = document.querySelector("[data-editor-undo]");
    var clear = document.querySelector("[data-editor-clear]");
    if (undo) undo.addEventListener("click", function () { points.pop(); write(); draw(); });
    if (clear) clear.addEventListener("click", function () { points = []; write(); draw(); });
  }

  // --- another substance row ------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-add-row]"), function (button) {
    var prefix = button.getAttribute("data-add-row");
    var table = document.querySelector("[data-formset='" + prefix + "']");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!table || !total) return;
    button.addEventListener("click", function () {
      var rows = table.querySelectorAll("tbody tr");
      var count = Number(total.value);
      if (max && count >= Number(max.value)) return;
      var copy = rows[rows.length - 1].cloneNode(true);
      var pattern = new RegExp(prefix + "-\\d+-", "g");
      Array.prototype.forEach.call(copy.querySelectorAll("[name],[id],[for]"), function (node) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value) node.setAttribute(attr, value.replace(pattern, prefix + "-" + count + "-"));
        });
        if (node.tagName === "INPUT") node.value = "";
      });
      Array.prototype.forEach.call(copy.querySelectorAll(".field-error"), function (node) {
        node.parentNode.removeChild(node);
      });
      Array.prototype.forEach.call(copy.querySelectorAll(".has-error"), function (node) {
        node.classList.remove("has-error");
      });
      table.querySelector("tbody").appendChild(copy);
      total.value = String(count + 1);
      var first = copy.querySelector("input");
      if (first) first.focus();
    });
  });
})();
