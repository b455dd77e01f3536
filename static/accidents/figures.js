// Accident statistics: bars for accidents and deaths per group (this period and last
// year), and a line chart of accidents and deaths per month over the last 24 months.
// The table on the page carries the same numbers; the data comes from a json_script.
(function () {
  "use strict";
  var dataEl = document.getElementById("accident-figures-data");
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var charts = [];
  var bars = document.getElementById("figures-chart");
  if (bars) {
    var colours = ["#d92d20", "#fda29b", "#1570ef", "#84caff"];
    var chart = window.echarts.init(bars, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 32, right: 8, top: bars.clientWidth < 600 ? 72 : 48, bottom: 8, containLabel: true },
      xAxis: {
        type: "category", data: data.labels,
        axisLabel: { interval: 0, rotate: data.labels.length > 6 || bars.clientWidth < 600 ? 30 : 0 }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "bar", data: s.data, itemStyle: { color: colours[i % colours.length] } };
      })
    });
    charts.push(chart);
  }
  var trendEl = document.getElementById("trend-chart");
  if (trendEl && data.trend) {
    var trend = window.echarts.init(trendEl, null, { renderer: "canvas" });
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 32, right: 8, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.trend.months, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.trend.accidents.name, type: "line", data: data.trend.accidents.data, itemStyle: { color: "#1570ef" } },
        { name: data.trend.deaths.name, type: "line", data: data.trend.deaths.data, itemStyle: { color: "#d92d20" } }
      ]
    });
    charts.push(trend);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
