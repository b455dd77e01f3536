// Supplies allocation pages (issue 14 item 5).
// * The form: add a supply-kind row to an incident or place, add a place, and show
//   progress while the server computes (the page is replaced by the result when done).
// * The result: an ECharts map with no tiles: warehouses (squares; grey when unused),
//   incidents (red pins) and one line per shipment, its width growing with the quantity;
//   longitude is drawn cos(latitude) narrower so distances keep their shape. Printable.
(function () {
  "use strict";

  // --- the form ---------------------------------------------------------------------------
  var form = document.getElementById("allocation-form");
  if (form) {
    var template = document.getElementById("alloc-demand-row");
    var addRow = function (target) {
      var block = form.querySelector('.alloc-target[data-target="' + target + '"] .alloc-demands');
      if (!block || !template) return;
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelector("select").name = "kind_" + target;
      row.querySelector("input").name = "qty_" + target;
      block.appendChild(row);
      row.querySelector("select").focus();
    };
    form.addEventListener("click", function (event) {
      var button = event.target.closest(".alloc-add-kind");
      if (!button) return;
      var holder = button.closest(".alloc-target");
      if (holder) addRow(holder.getAttribute("data-target"));
    });
    // Entering a quantity for an incident ticks it.
    form.addEventListener("input", function (event) {
      var holder = event.target.closest(".alloc-target");
      if (!holder || !event.target.classList.contains("alloc-qty")) return;
      var box = holder.querySelector('input[name="incident"]');
      if (box && event.target.value) box.checked = true;
    });
    var list = document.getElementById("alloc-place-list");
    var addPlace = document.getElementById("alloc-add-place");
    if (list && addPlace) {
      addPlace.addEventListener("click", function () {
        var n = parseInt(list.getAttribute("data-next"), 10) || 2;
        if (n > 50) return;
        list.setAttribute("data-next", String(n + 1));
        var first = list.querySelector(".alloc-place");
        var copy = first.cloneNode(true);
        var old = first.getAttribute("data-target");
        copy.setAttribute("data-target", "p" + n);
        Array.prototype.forEach.call(copy.querySelectorAll("[name]"), function (input) {
          input.name = input.name.replace(/(_p?)\d+$/, function (m, pre) { return pre + n; })
            .replace("_" + old, "_p" + n);
          if (input.id) input.id = input.id.replace(/\d+$/, String(n));
          if (input.tagName === "SELECT") input.selectedIndex = input.name.indexOf("priority") === 0 ? 0 : 0;
          else input.value = "";
        });
        Array.prototype.forEach.call(copy.querySelectorAll("label[for]"), function (label) {
          label.setAttribute("for", label.getAttribute("for").replace(/\d+$/, String(n)));
        });
        list.appendChild(copy);
        var name = copy.querySelector('input[type="text"]');
        if (name) name.focus();
      });
    }
    form.addEventListener("submit", function () {
      var progress = document.getElementById("alloc-progress");
      var button = document.getElementById("alloc-compute");
      if (progress) progress.hidden = false;
      // Disabled after the submit has been taken (a disabled button would not post).
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  // --- print ------------------------------------------------------------------------------
  var print = document.getElementById("allocation-print");
  if (print) print.addEventListener("click", function () { window.print(); });

  // --- the map ----------------------------------------------------------------------------
  var el = document.getElementById("allocation-map");
  var dataEl = document.getElementById("allocation-map-data");
  if (!el || !dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var fmt = function (v) { return Number(v).toFixed(2); };
  var enc = window.echarts.format.encodeHTML;
  var at = {};
  data.warehouses.forEach(function (w) { at[w.id] = [w.lon, w.lat, w.name]; });
  data.incidents.forEach(function (p) { at[p.id] = [p.lon, p.lat, p.name]; });
  var maxQ = 1;
  data.shipments.forEach(function (s) { if (s.quantity > maxQ) maxQ = s.quantity; });

  var ranges = function (points, grid) {
    var lon = [Infinity, -Infinity], lat = [Infinity, -Infinity];
    points.forEach(function (p) {
      lon[0] = Math.min(lon[0], p[0]); lon[1] = Math.max(lon[1], p[0]);
      lat[0] = Math.min(lat[0], p[1]); lat[1] = Math.max(lat[1], p[1]);
    });
    var k = Math.max(0.1, Math.cos((lat[0] + lat[1]) / 2 * Math.PI / 180));
    var dLon = Math.max(lon[1] - lon[0], 0.01) * 1.15;
    var dLat = Math.max(lat[1] - lat[0], 0.01) * 1.15;
    var scale = Math.min(grid.w / (dLon * k), grid.h / dLat);
    var cLon = (lon[0] + lon[1]) / 2, cLat = (lat[0] + lat[1]) / 2;
    var lonSpan = grid.w / scale / k, latSpan = grid.h / scale;
    return { x: [cLon - lonSpan / 2, cLon + lonSpan / 2], y: [cLat - latSpan / 2, cLat + latSpan / 2] };
  };

  var draw = function () {
    var narrow = el.clientWidth < 500;
    var margin = { left: narrow ? 44 : 64, right: 16, top: 36, bottom: 40 };
    var grid = {
      w: Math.max(50, el.clientWidth - margin.left - margin.right),
      h: Math.max(50, el.clientHeight - margin.top - margin.bottom)
    };
    var points = Object.keys(at).map(function (k) { return at[k]; });
    var r = points.length ? ranges(points, grid) : { x: [0, 1], y: [0, 1] };
    var areas = data.areas || [];
    var used = data.warehouses.filter(function (w) { return w.used; });
    var unused = data.warehouses.filter(function (w) { return !w.used; });
    var lines = data.shipments.filter(function (s) { return at[s.from] && at[s.to]; }).map(function (s) {
      return {
        coords: [at[s.from].slice(0, 2), at[s.to].slice(0, 2)],
        name: at[s.from][2] + " → " + at[s.to][2] + " · " + s.label,
        lineStyle: { width: 1.5 + 8 * Math.sqrt(s.quantity / maxQ) }
      };
    });
    chart.setOption({
      animation: false,
      legend: { top: 0, data: [el.getAttribute("data-label-warehouse"), el.getAttribute("data-label-incident"), el.getAttribute("data-label-shipment")] },
      grid: margin,
      xAxis: { type: "value", min: r.x[0], max: r.x[1], name: narrow ? "" : el.getAttribute("data-label-lon"), nameLocation: "middle", nameGap: 26,
               axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false }, splitLine: { lineStyle: { color: "#eef1f4" } } },
      yAxis: { type: "value", min: r.y[0], max: r.y[1], name: narrow ? "" : el.getAttribute("data-label-lat"), nameLocation: "middle", nameGap: 48,
               axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false }, splitLine: { lineStyle: { color: "#eef1f4" } } },
      tooltip: { trigger: "item", formatter: function (item) { return enc(item.data.name || (item.data.value && item.data.value[2]) || ""); } },
      series: [
        { id: "areas", type: "custom", silent: true, z: 0, coordinateSystem: "cartesian2d", clip: true,
          data: areas.map(function (a, i) { return [i]; }),
          renderItem: function (params, api) {
            var a = areas[api.value(0)];
            return { type: "polygon", shape: { points: a.ring.map(function (p) { return api.coord(p); }) },
                     style: { fill: api.value(0) % 2 ? "#eef1f5" : "#f7f8fa", stroke: "#98a2b3", lineWidth: 1 } };
          } },
        { id: "unused", name: el.getAttribute("data-label-warehouse"), type: "scatter", symbol: "rect", symbolSize: 7, z: 2,
          itemStyle: { color: "#98a2b3" }, data: unused.map(function (w) { return { name: w.name, value: [w.lon, w.lat, w.name] }; }) },
        { id: "lines", name: el.getAttribute("data-label-shipment"), type: "lines", coordinateSystem: "cartesian2d", z: 3, clip: true,
          lineStyle: { color: "#1d4ed8", opacity: 0.7, curveness: 0.12 },
          symbol: ["none", "arrow"], symbolSize: 8, data: lines },
        { id: "warehouses", name: el.getAttribute("data-label-warehouse"), type: "scatter", symbol: "rect", symbolSize: 13, z: 4,
          itemStyle: { color: "#1d4ed8", borderColor: "#fff", borderWidth: 1 },
          label: { show: !narrow, position: "right", formatter: function (p) { return p.data.name; }, fontSize: 11 },
          data: used.map(function (w) { return { name: w.name, value: [w.lon, w.lat, w.name] }; }) },
        { id: "incidents", name: el.getAttribute("data-label-incident"), type: "scatter", symbol: "pin", symbolSize: 30, z: 5,
          itemStyle: { color: "#d92d20" },
          label: { show: true, position: "top", formatter: function (p) { return p.data.name; }, fontSize: 12, fontWeight: 600, color: "#b42318" },
          data: data.incidents.map(function (p) { return { name: p.name, value: [p.lon, p.lat, p.name] }; }) }
      ]
    }, { replaceMerge: ["series"] });
  };
  draw();
  el.setAttribute("data-ready", String(data.shipments.length));
  var resize = function () { chart.resize(); draw(); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
