// A point's history (ECharts): the mean as a line, min–max as a band for aggregates,
// the set-points as horizontal dashed lines in their alarm level's colour. The range
// buttons reload the data without leaving the page.
(function () {
  "use strict";
  var el = document.getElementById("point-chart");
  if (!el || !window.echarts) return;
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var colours = { red: "#d92d20", orange: "#f79009", yellow: "#ca8a04", blue: "#1570ef" };
  var unit = el.getAttribute("data-unit") || "";

  var draw = function (payload) {
    var data = payload.data;
    var mean = data.map(function (r) { return [r[0], r[1]]; });
    var aggregated = payload.source !== "raw";
    var low = data.map(function (r) { return [r[0], r[2]]; });
    var band = data.map(function (r) { return [r[0], r[3] - r[2]]; });
    var marks = payload.setpoints.map(function (s) {
      return {
        yAxis: s.value, name: s.name,
        lineStyle: { color: colours[s.level] || "#667085", type: "dashed", width: 1.5 },
        label: { formatter: s.name + " " + s.value + " " + unit, position: "insideEndTop", color: colours[s.level] || "#667085" }
      };
    });
    var values = data.map(function (r) { return r[3]; }).concat(payload.setpoints.map(function (s) { return s.value; }));
    var series = [];
    if (aggregated) {
      series.push({ name: "low", type: "line", data: low, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, silent: true });
      series.push({ name: el.getAttribute("data-label-range"), type: "line", data: band, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(15,118,110,.15)" }, silent: true });
    }
    series.push({
      name: el.getAttribute("data-label-mean"), type: "line", data: mean, showSymbol: data.length < 80,
      step: payload.boolean ? "end" : false,
      lineStyle: { color: "#0f766e", width: 2 }, itemStyle: { color: "#0f766e" },
      markLine: { symbol: "none", silent: true, data: marks }
    });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 40 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "" : Number(v).toFixed(2) + " " + unit; } },
      xAxis: { type: "time", min: payload.since, max: payload.until },
      yAxis: { type: "value", scale: true, max: values.length ? function (v) { return Math.max(v.max, Math.max.apply(null, values)); } : null },
      graphic: data.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: el.getAttribute("data-label-empty"), fill: "#667085", font: "14px sans-serif" } }],
      series: series
    }, { notMerge: true });
    el.setAttribute("data-ready", String(data.length));
    el.setAttribute("data-setpoints", String(payload.setpoints.length));
  };

  var load = function (range) {
    el.setAttribute("data-range", range);
    el.removeAttribute("data-ready");
    fetch(el.getAttribute("data-url") + "?range=" + encodeURIComponent(range), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(draw)
      .catch(function () {});
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-range]"), function (a) {
    if (a === el) return;
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var range = a.getAttribute("data-range");
      Array.prototype.forEach.call(document.querySelectorAll(".mon-ranges a"), function (b) {
        var on = b === a;
        b.classList.toggle("btn-primary", on);
        if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
      });
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", "?range=" + range);
      load(range);
    });
  });
  window.addEventListener("resize", function () { chart.resize(); });
  load(el.getAttribute("data-range") || "1h");
})();
