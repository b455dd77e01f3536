// The resources map: teams, warehouses, experts and shelters as dots (one shape and colour
// per kind) on longitude/latitude axes over the township areas, as the jurisdiction risk
// map draws them (static/risks/jurisdiction-map.js): ECharts, no tiles, no network.
// One degree of longitude is drawn cos(latitude) times as wide as one of latitude.
(function () {
  "use strict";
  var el = document.getElementById("resource-map");
  var pointsEl = document.getElementById("res-map-points");
  if (!el || !pointsEl || !window.echarts) return;
  var points = JSON.parse(pointsEl.textContent);
  var areasEl = document.getElementById("res-map-areas");
  var areas = areasEl ? JSON.parse(areasEl.textContent) : [];
  var labels = JSON.parse(document.getElementById("res-map-labels").textContent);
  var style = {
    teams: { color: "#b91c1c", symbol: "triangle" },
    warehouses: { color: "#1d4ed8", symbol: "rect" },
    experts: { color: "#7c3aed", symbol: "diamond" },
    shelters: { color: "#15803d", symbol: "circle" }
  };
  var kinds = ["shelters", "warehouses", "experts", "teams"];
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var fmt = function (v) { return Number(v).toFixed(2); };

  var ranges = function (all, grid) {
    var lon = [Infinity, -Infinity], lat = [Infinity, -Infinity];
    all.forEach(function (p) {
      lon[0] = Math.min(lon[0], p[0]); lon[1] = Math.max(lon[1], p[0]);
      lat[0] = Math.min(lat[0], p[1]); lat[1] = Math.max(lat[1], p[1]);
    });
    var k = Math.max(0.1, Math.cos((lat[0] + lat[1]) / 2 * Math.PI / 180));
    var dLon = Math.max(lon[1] - lon[0], 0.01) * 1.15, dLat = Math.max(lat[1] - lat[0], 0.01) * 1.15;
    var scale = Math.min(grid.w / (dLon * k), grid.h / dLat);
    var cLon = (lon[0] + lon[1]) / 2, cLat = (lat[0] + lat[1]) / 2;
    var lonSpan = grid.w / scale / k, latSpan = grid.h / scale;
    return { x: [cLon - lonSpan / 2, cLon + lonSpan / 2], y: [cLat - latSpan / 2, cLat + latSpan / 2] };
  };

  var draw = function () {
    var margin = { left: 8, right: 8, top: 36, bottom: 8 };
    var grid = { w: Math.max(50, el.clientWidth - 16), h: Math.max(50, el.clientHeight - 44) };
    var all = [];
    kinds.forEach(function (k) { all = all.concat(points[k] || []); });
    areas.forEach(function (a) { all = all.concat(a.ring); });
    var r = all.length ? ranges(all, grid) : { x: [0, 1], y: [0, 1] };
    chart.setOption({
      animation: false,
      legend: { top: 4, itemWidth: 12, itemHeight: 12, data: kinds.slice().reverse().map(function (k) { return labels[k]; }) },
      grid: margin,
      xAxis: { type: "value", min: r.x[0], max: r.x[1], show: false },
      yAxis: { type: "value", min: r.y[0], max: r.y[1], show: false },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          if (!item.data || item.data.length < 3) return "";
          return window.echarts.format.encodeHTML(item.data[2]) + "<br>" + item.seriesName +
            "<br>" + fmt(item.data[1]) + ", " + fmt(item.data[0]);
        }
      },
      series: [{
        id: "areas", type: "custom", silent: true, z: 0,
        data: areas.map(function (a, i) { return [i]; }),
        renderItem: function (params, api) {
          var a = areas[api.value(0)], c = api.coord(a.label);
          return { type: "group", children: [
            { type: "polygon", shape: { points: a.ring.map(function (p) { return api.coord(p); }) },
              style: { fill: api.value(0) % 2 ? "#eef1f5" : "#f7f8fa", stroke: "#667085", lineWidth: 1 } },
            { type: "text", x: c[0], y: c[1], style: { text: a.name, fill: "#344054", font: "600 12px sans-serif",
              align: "center", verticalAlign: "middle", stroke: "#fff", lineWidth: 3 } }
          ] };
        }
      }].concat(kinds.map(function (k, i) {
        return {
          id: k, name: labels[k], type: "scatter", data: points[k] || [], z: i + 1,
          symbol: style[k].symbol, symbolSize: 11,
          itemStyle: { color: style[k].color, borderColor: "#fff", borderWidth: 1, opacity: 0.95 }
        };
      }))
    }, { replaceMerge: ["series"] });
    var n = 0;
    kinds.forEach(function (k) { n += (points[k] || []).length; });
    el.setAttribute("data-ready", String(n));
  };

  chart.on("click", function (item) {
    if (!item.data || item.data.length < 4) return;
    if (item.seriesId === "teams") window.location.href = el.getAttribute("data-team-url").replace("/0/", "/" + item.data[3] + "/");
    if (item.seriesId === "warehouses") window.location.href = el.getAttribute("data-warehouse-url").replace("/0/", "/" + item.data[3] + "/");
  });
  var resize = function () { chart.resize(); draw(); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  draw();
})();
