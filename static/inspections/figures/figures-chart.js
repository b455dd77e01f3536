// Enforcement figures: inspections, hazards found and hazards fixed per group as bars.
// The table below the chart carries the same numbers (and is all there is without
// JavaScript).
(function () {
  "use strict";
  var el = document.getElementById("figures-chart");
  var dataEl = document.getElementById("figures-data");
  if (!el || !dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var colours = ["#1570ef", "#f79009", "#12b76a"];
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    xAxis: {
      type: "category", data: data.labels,
      axisLabel: { interval: 0, rotate: el.clientWidth < 600 || data.labels.length > 6 ? 45 : 0 }
    },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s, i) {
      return { name: s.name, type: "bar", data: s.data, itemStyle: { color: colours[i % colours.length] } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
