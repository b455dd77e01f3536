// One-click response pages (issue 14 items 4 and 6). ECharts on longitude/latitude value
// axes, no map tiles: the township areas as polygons (as on the jurisdiction risk map),
// one degree of longitude drawn cos(latitude) times as wide as one of latitude.
// * data-mode="pick": click the map (or use the device position, or type) to set the
//   incident's coordinates; a marker follows the inputs.
// * data-mode="incident": the incident, the ranked resources by kind, straight lines from
//   each called resource to the incident; the timeline and the answers are refreshed by
//   polling the page's JSON endpoint (CSP: no inline script; data via json_script).
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-er-print]"), function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  var el = document.getElementById("er-map");
  var dataEl = document.getElementById("er-map-data");
  if (!el || !dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var labels = data.labels || {};
  var mode = el.getAttribute("data-mode");
  var latIn = document.getElementById("id_latitude");
  var lonIn = document.getElementById("id_longitude");
  var called = {};
  var KIND = {
    team: { color: "#1d4ed8", symbol: "triangle" },
    expert: { color: "#7c3aed", symbol: "diamond" },
    warehouse: { color: "#b45309", symbol: "rect" },
    shelter: { color: "#047857", symbol: "roundRect" }
  };

  var fmt = function (v) { return Number(v).toFixed(2); };
  var esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  var picked = function () {
    if (!latIn || !lonIn) return null;
    var lat = parseFloat(latIn.value), lon = parseFloat(lonIn.value);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return [lon, lat];
  };

  var framePoints = function () {
    var pts = [];
    (data.areas || []).forEach(function (a) { pts = pts.concat(a.ring); });
    if (mode === "pick") {
      (data.landmarks || []).forEach(function (p) { pts.push([p[0], p[1]]); });
      var p = picked();
      if (p) pts.push(p);
    } else {
      pts.push([data.incident.lon, data.incident.lat]);
      (data.resources || []).forEach(function (r) { pts.push([r.lon, r.lat]); });
    }
    if (!pts.length) pts = [[116.0, 39.5], [117.0, 40.5]];
    return pts;
  };

  var ranges = function (points, grid) {
    var lon = [Infinity, -Infinity], lat = [Infinity, -Infinity];
    points.forEach(function (p) {
      lon[0] = Math.min(lon[0], p[0]); lon[1] = Math.max(lon[1], p[0]);
      lat[0] = Math.min(lat[0], p[1]); lat[1] = Math.max(lat[1], p[1]);
    });
    var midLat = (lat[0] + lat[1]) / 2;
    var k = Math.max(0.1, Math.cos(midLat * Math.PI / 180));
    var dLon = Math.max(lon[1] - lon[0], 0.01) * 1.12;
    var dLat = Math.max(lat[1] - lat[0], 0.01) * 1.12;
    var scale = Math.min(grid.w / (dLon * k), grid.h / dLat);
    var lonSpan = grid.w / scale / k, latSpan = grid.h / scale;
    var cLon = (lon[0] + lon[1]) / 2, cLat = (lat[0] + lat[1]) / 2;
    return { x: [cLon - lonSpan / 2, cLon + lonSpan / 2], y: [cLat - latSpan / 2, cLat + latSpan / 2] };
  };

  if (!window.echarts) return;
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var frame = null;
  var margin = { left: 52, right: 12, top: 12, bottom: mode === "incident" ? 64 : 36 };

  var areaSeries = function () {
    var areas = data.areas || [];
    return {
      id: "areas", type: "custom", silent: true, z: 0,
      data: areas.map(function (a, i) { return [i]; }),
      renderItem: function (params, api) {
        var a = areas[api.value(0)];
        var label = api.coord(a.label);
        return {
          type: "group",
          children: [
            { type: "polygon", shape: { points: a.ring.map(function (p) { return api.coord(p); }) },
              style: { fill: api.value(0) % 2 ? "#eef1f5" : "#f7f8fa", stroke: "#667085", lineWidth: 1 } },
            { type: "text", x: label[0], y: label[1],
              style: { text: a.name, fill: "#475467", font: "600 12px sans-serif", align: "center", verticalAlign: "middle", stroke: "#fff", lineWidth: 3 } }
          ]
        };
      }
    };
  };

  var series = function () {
    var out = [areaSeries()];
    if (mode === "pick") {
      out.push({
        id: "landmarks", name: labels.enterprise, type: "scatter", symbolSize: 6, z: 1,
        itemStyle: { color: "#98a2b3" },
        data: (data.landmarks || []).map(function (p) { return [p[0], p[1], p[2]]; }),
        tooltip: { formatter: function (i) { return esc(i.data[2]); } }
      });
      var p = picked();
      out.push({
        id: "pick", name: labels.incident, type: "effectScatter", symbol: "circle", symbolSize: 16, z: 5,
        rippleEffect: { scale: 2.5 },
        itemStyle: { color: "#b91c1c", borderColor: "#fff", borderWidth: 2 }, data: p ? [p] : []
      });
      return out;
    }
    var inc = [data.incident.lon, data.incident.lat];
    (data.resources || []).forEach(function (r) {
      if (!called[r.kind + ":" + r.id]) return;
      out.push({
        type: "line", silent: true, z: 2, symbol: "none", animation: false,
        lineStyle: { color: KIND[r.kind].color, width: 2, type: "dashed" },
        data: [[r.lon, r.lat], inc]
      });
    });
    Object.keys(KIND).forEach(function (kind) {
      out.push({
        id: kind, name: labels[kind], type: "scatter", z: 3,
        symbol: KIND[kind].symbol, symbolSize: 11,
        itemStyle: { color: KIND[kind].color, borderColor: "#fff", borderWidth: 1 },
        data: (data.resources || []).filter(function (r) { return r.kind === kind; }).map(function (r) {
          return { value: [r.lon, r.lat], name: r.name, km: r.km, min: r.min,
                   itemStyle: called[r.kind + ":" + r.id] ? { borderColor: "#111827", borderWidth: 2 } : undefined };
        })
      });
    });
    out.push({
      id: "incident", name: labels.incident, type: "effectScatter", z: 2, symbolSize: 12,
      rippleEffect: { scale: 2.5 }, itemStyle: { color: "#b91c1c" },
      data: [{ value: inc, name: data.incident.name }]
    });
    return out;
  };

  var draw = function () {
    var grid = {
      w: Math.max(50, el.clientWidth - margin.left - margin.right),
      h: Math.max(50, el.clientHeight - margin.top - margin.bottom)
    };
    if (!frame) frame = ranges(framePoints(), grid);
    chart.setOption({
      animation: false,
      grid: margin,
      legend: mode === "incident" ? { bottom: 0, itemWidth: 12, textStyle: { fontSize: 12 }, data: ["incident", "team", "expert", "warehouse", "shelter"].map(function (k) { return labels[k]; }) } : undefined,
      xAxis: { type: "value", min: frame.x[0], max: frame.x[1], axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false, fontSize: 10 }, splitLine: { lineStyle: { color: "#eef1f4" } } },
      yAxis: { type: "value", min: frame.y[0], max: frame.y[1], axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false, fontSize: 10 }, splitLine: { lineStyle: { color: "#eef1f4" } } },
      tooltip: {
        trigger: "item",
        formatter: function (i) {
          var d = i.data || {};
          if (d.km !== undefined) return esc(d.name) + "<br>" + d.km + " " + labels.km + " · " + d.min + " " + labels.min;
          if (d.name) return esc(d.name);
          if (Array.isArray(d) && d[2]) return esc(d[2]);
          return "";
        }
      },
      series: series()
    }, { replaceMerge: ["series"] });
  };

  var resize = function () { frame = null; chart.resize(); draw(); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);

  if (mode === "pick") {
    // A click anywhere on the plot sets the coordinates (not only on a drawn point).
    chart.getZr().on("click", function (event) {
      var at = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", at)) return;
      var v = chart.convertFromPixel("grid", at);
      latIn.value = v[1].toFixed(6);
      lonIn.value = v[0].toFixed(6);
      draw();
    });
    [latIn, lonIn].forEach(function (input) { input.addEventListener("input", draw); });
    var locate = document.getElementById("er-locate");
    if (locate) {
      locate.addEventListener("click", function () {
        if (!navigator.geolocation) { window.alert(labels.no_position); return; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          latIn.value = pos.coords.latitude.toFixed(6);
          lonIn.value = pos.coords.longitude.toFixed(6);
          frame = null;
          draw();
        }, function () { window.alert(labels.no_position); }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
    draw();
    return;
  }

  // --- the live incident page: the timeline and the answers by polling ---------------------
  var pollEl = document.getElementById("er-poll");
  var poll = pollEl ? JSON.parse(pollEl.textContent) : null;
  var list = document.getElementById("er-timeline");
  var seen = {};
  Array.prototype.forEach.call(document.querySelectorAll("#er-ranked tr.er-called"), function (tr) {
    called[tr.getAttribute("data-kind") + ":" + tr.getAttribute("data-id")] = true;
  });
  if (list) {
    Array.prototype.forEach.call(list.querySelectorAll("li[data-event]"), function (li) {
      seen[li.getAttribute("data-event")] = true;
    });
  }
  draw();

  var apply = function (line) {
    var changed = false;
    line.calls.forEach(function (c) {
      var key = c.kind + ":" + c.target_id;
      if (!called[key]) { called[key] = true; changed = true; }
      var buttons = document.querySelector('#er-ranked [data-buttons="' + c.id + '"]');
      if (buttons) {
        Array.prototype.forEach.call(buttons.querySelectorAll("button[name=answer]"), function (b) {
          b.hidden = c.next.indexOf(b.value) < 0;
        });
      }
      var badge = document.querySelector('#er-ranked [data-call="' + c.id + '"]');
      if (badge && badge.textContent !== c.answer_label) {
        badge.textContent = c.answer_label;
        badge.className = "badge er-answer-" + c.answer;
      }
    });
    if (list) {
      line.events.forEach(function (e) {
        if (seen[e.id]) return;
        seen[e.id] = true;
        var li = document.createElement("li");
        li.setAttribute("data-event", e.id);
        li.innerHTML = "<time>" + esc(e.at.slice(11, 16)) + "</time> <strong>" + esc(e.label) + "</strong>" +
          (e.name ? " " + esc(e.name) : "") + (e.phone ? ' <span class="mono">' + esc(e.phone) + "</span>" : "") +
          (e.answer ? " · " + esc(e.answer) : "") + (e.note ? " · " + esc(e.note) : "") +
          ' <span class="small muted">' + esc(e.actor) + "</span>";
        list.appendChild(li);
      });
    }
    if (changed) draw();
    return line.state === "active";
  };

  if (poll) {
    var tick = function () {
      if (document.hidden) { window.setTimeout(tick, poll.seconds * 1000); return; }
      fetch(poll.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (line) {
          if (!line || apply(line)) window.setTimeout(tick, poll.seconds * 1000);
        })
        .catch(function () { window.setTimeout(tick, poll.seconds * 2000); });
    };
    window.setTimeout(tick, poll.seconds * 1000);
  }
})();
