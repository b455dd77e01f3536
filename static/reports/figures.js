// Hazard figures by group: bars for found / fixed / overdue / major open, a line for the
// on-time rate on its own axis. The table below the chart carries the same numbers.
(function () {
  "use strict";
  var el = document.getElementById("figures-chart");
  var dataEl = document.getElementById("figures-data");
  if (!el || !dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var colours = ["#1570ef", "#12b76a", "#f79009", "#d92d20"];
  var series = data.series.map(function (s, i) {
    return { name: s.name, type: "bar", data: s.data, itemStyle: { color: colours[i % colours.length] } };
  });
  series.push({
    name: data.rate.name, type: "line", yAxisIndex: 1, data: data.rate.data,
    connectNulls: false, itemStyle: { color: "#5b3e96" }
  });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 32, right: 8, top: el.clientWidth < 600 ? 72 : 48, bottom: 8, containLabel: true },
    xAxis: {
      type: "category", data: data.labels,
      axisLabel: { interval: 0, rotate: data.labels.length > 6 || el.clientWidth < 600 ? 30 : 0 }
    },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
    ],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
