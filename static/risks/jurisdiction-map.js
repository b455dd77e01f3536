// The jurisdiction risk map: enterprises as dots on longitude/latitude axes over the
// township areas (with their names), coloured by their highest risk-unit colour and
// shaped by it too (colour-blind readers, black-and-white prints). ECharts scatter and a
// custom polygon series, no map tiles, no network access beyond the page's own data
// endpoint. One degree of longitude is drawn cos(latitude) times as wide as one degree
// of latitude, so the county keeps its shape.
(function () {
  "use strict";
  var el = document.getElementById("jurisdiction-map");
  var seriesEl = document.getElementById("map-series");
  if (!el || !seriesEl || !window.echarts) return;
  var series = JSON.parse(seriesEl.textContent);
  var areasEl = document.getElementById("map-areas");
  var areas = areasEl ? JSON.parse(areasEl.textContent) : [];
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var hidden = {};
  var data = null;
  var note = document.getElementById("map-note");
  var order = ["none", "blue", "yellow", "orange", "red"]; // red drawn last, on top

  var fmt = function (value) { return Number(value).toFixed(2); };
  // Neighbouring townships in two alternating pale greys: the areas show, the dots lead.
  var i2fill = function (i) { return i % 2 ? "#eef1f5" : "#f7f8fa"; };

  var extent = function (points) {
    var lon = [Infinity, -Infinity], lat = [Infinity, -Infinity];
    points.forEach(function (p) {
      if (p[0] < lon[0]) lon[0] = p[0];
      if (p[0] > lon[1]) lon[1] = p[0];
      if (p[1] < lat[0]) lat[0] = p[1];
      if (p[1] > lat[1]) lat[1] = p[1];
    });
    return { lon: lon, lat: lat };
  };

  // Axis ranges that fill the plot area and keep the aspect ratio.
  var ranges = function (points, grid) {
    var e = extent(points);
    var midLat = (e.lat[0] + e.lat[1]) / 2;
    var k = Math.max(0.1, Math.cos(midLat * Math.PI / 180));
    var dLon = Math.max(e.lon[1] - e.lon[0], 0.01) * 1.08;
    var dLat = Math.max(e.lat[1] - e.lat[0], 0.01) * 1.08;
    var scale = Math.min(grid.w / (dLon * k), grid.h / dLat); // px per degree of latitude
    var lonSpan = grid.w / scale / k, latSpan = grid.h / scale;
    var cLon = (e.lon[0] + e.lon[1]) / 2, cLat = (e.lat[0] + e.lat[1]) / 2;
    return {
      x: [cLon - lonSpan / 2, cLon + lonSpan / 2],
      y: [cLat - latSpan / 2, cLat + latSpan / 2]
    };
  };

  var draw = function () {
    if (!data) return;
    var points = data.points;
    var aggregated = data.mode === "aggregated";
    var margin = { left: 64, right: 24, top: 16, bottom: 48 };
    var grid = {
      w: Math.max(50, el.clientWidth - margin.left - margin.right),
      h: Math.max(50, el.clientHeight - margin.top - margin.bottom)
    };
    var frame = points.slice();
    areas.forEach(function (a) { frame = frame.concat(a.ring); });
    var r = frame.length ? ranges(frame, grid) : { x: [0, 1], y: [0, 1] };
    var byColour = {};
    order.forEach(function (c) { byColour[c] = []; });
    points.forEach(function (p) {
      var c = byColour[p[2]] ? p[2] : "none";
      byColour[c].push(p);
    });
    var lookup = {};
    series.forEach(function (s) { lookup[s.colour] = s; });
    var size = points.length > 5000 ? 4 : points.length > 500 ? 6 : 9;
    chart.setOption({
      animation: false,
      grid: { left: margin.left, right: margin.right, top: margin.top, bottom: margin.bottom },
      xAxis: {
        type: "value", name: el.getAttribute("data-label-lon"), nameLocation: "middle", nameGap: 28,
        min: r.x[0], max: r.x[1], axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false }, splitLine: { lineStyle: { color: "#eef1f4" } }
      },
      yAxis: {
        type: "value", name: el.getAttribute("data-label-lat"), nameLocation: "middle", nameGap: 48,
        min: r.y[0], max: r.y[1], axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false }, splitLine: { lineStyle: { color: "#eef1f4" } }
      },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var p = item.data, s = lookup[p[2]] || lookup.none;
          if (aggregated) {
            return s.name + " · " + p[3] + " " + el.getAttribute("data-label-count") +
              "<br>" + fmt(p[0]) + ", " + fmt(p[1]);
          }
          return window.echarts.format.encodeHTML(p[4]) + "<br>" + s.name;
        }
      },
      series: [{
        id: "areas", type: "custom", silent: true, z: 0,
        data: areas.map(function (a, i) { return [i]; }),
        renderItem: function (params, api) {
          var a = areas[api.value(0)];
          var label = api.coord(a.label);
          return {
            type: "group",
            children: [
              { type: "polygon", shape: { points: a.ring.map(function (p) { return api.coord(p); }) },
                style: { fill: i2fill(api.value(0)), stroke: "#667085", lineWidth: 1 } },
              { type: "text", x: label[0], y: label[1],
                style: { text: a.name, fill: "#344054", font: "600 13px sans-serif", align: "center", verticalAlign: "middle",
                         stroke: "#fff", lineWidth: 3 } }
            ]
          };
        }
      }].concat(order.map(function (c) {
        var s = lookup[c] || { name: c, hex: "#98a2b3" };
        return {
          id: c, name: s.name, type: "scatter",
          data: hidden[c] ? [] : byColour[c],
          symbolSize: aggregated
            ? function (p) { return Math.min(28, 4 + Math.sqrt(p[3]) * 2); }
            : (c === "none" ? size - 1 : size),
          itemStyle: { color: s.hex, opacity: c === "none" ? 0.55 : 0.95, borderColor: c === "yellow" ? "#a16207" : "#fff", borderWidth: c === "yellow" ? 1 : (aggregated ? 1 : 0.5) },
          symbol: s.symbol || "circle",
          large: byColour[c].length > 4000,
          largeThreshold: 4000,
          z: order.indexOf(c) + 1
        };
      }))
    }, { replaceMerge: ["series"] });
  };

  chart.on("click", function (item) {
    if (!data || data.mode !== "points" || !item.data) return;
    window.location.href = data.detail_url.replace("{id}", item.data[3]);
  });

  Array.prototype.forEach.call(document.querySelectorAll("#map-legend button"), function (button) {
    button.addEventListener("click", function () {
      var colour = button.getAttribute("data-colour");
      hidden[colour] = !hidden[colour];
      button.setAttribute("aria-pressed", hidden[colour] ? "false" : "true");
      draw();
    });
  });

  var resize = function () { chart.resize(); draw(); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);

  chart.showLoading({ text: "" });
  fetch(el.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (payload) {
      data = payload;
      chart.hideLoading();
      if (payload.note && note) note.textContent = payload.note;
      draw();
      el.setAttribute("data-ready", String(payload.points.length));
    })
    .catch(function () { chart.hideLoading(); });
})();
