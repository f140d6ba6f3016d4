/* The dashboard's charts: reads the figures block and draws each canvas with Chart.js. */
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("figures").textContent);
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var names = figures.personas;
  var colours = ["#2f6fb0", "#e08a2c", "#3a9a5b", "#c0433a", "#7d5ba6", "#8c6d46", "#d16fb0", "#6b6b6b"];

  function days(from, to) {
    var out = [];
    var day = new Date(from + "T00:00:00Z");
    var end = new Date(to + "T00:00:00Z");
    while (day <= end) {
      out.push(day.toISOString().slice(0, 10));
      day.setUTCDate(day.getUTCDate() + 1);
    }
    return out;
  }
  function keyed(map, keys, name) {
    var ks = keys || Object.keys(map);
    return { labels: ks.map(function (k) { return name ? name(k) : k; }),
             data: ks.map(function (k) { return map[k] || 0; }) };
  }
  function persona(id) { return names[id] || id; }
  function series(label, values, colour) {
    return { label: label, data: values, backgroundColor: colour, borderColor: colour,
             fill: false, tension: 0.2, pointRadius: 2 };
  }
  function perPersona(field) {
    var rows = figures.training.by_persona;
    var ids = Object.keys(rows).filter(function (k) { return rows[k][field] !== null; });
    return { labels: ids.map(persona), data: ids.map(function (k) { return rows[k][field]; }) };
  }

  var a = figures.adoption, t = figures.training, q = figures.quality, f = figures.funnel;
  var perDay = keyed(a.per_day, days(figures.period.since, figures.period.until));
  var weeks = Object.keys(q.per_week);
  var health = figures.health.personas;
  var build = {
    per_day: function () { return perDay; },
    weekly_askers: function () { return keyed(a.weekly_askers); },
    by_persona: function () { return keyed(a.by_persona, null, persona); },
    by_platform: function () { return keyed(a.by_platform); },
    by_intent: function () {
      return keyed(a.by_intent, null, function (k) { return labels["intents." + k] || k; });
    },
    helpful: function () {
      return { labels: weeks, stacked: true, datasets: [
        series(labels["charts.helpful_yes"], weeks.map(function (w) { return q.per_week[w][0]; }), colours[2]),
        series(labels["charts.helpful_no"], weeks.map(function (w) { return q.per_week[w][1]; }), colours[3])
      ] };
    },
    freshness: function () { return keyed(figures.freshness.per_week); },
    quiz_week: function () { return keyed(t.per_week); },
    mastery: function () { return perPersona("mastery_percent"); },
    roleplay: function () { return perPersona("pass_percent"); },
    funnel: function () {
      var steps = ["submitted", "proposed", "decided", "approved"];
      return { labels: steps.map(function (s) { return labels["charts." + s]; }),
               data: steps.map(function (s) { return f[s]; }) };
    },
    health: function () {
      return { labels: health.map(function (p) { return persona(p.id); }),
               data: health.map(function (p) { return p.score; }) };
    }
  };
  var percentCharts = { freshness: true, mastery: true, roleplay: true, health: true };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas, index) {
    var name = canvas.getAttribute("data-chart");
    var kind = canvas.getAttribute("data-kind");
    var shape = build[name]();
    var colour = colours[index % colours.length];
    var datasets = shape.datasets || [series(labels["charts." + name], shape.data, colour)];
    var scales = { x: { stacked: !!shape.stacked },
                   y: { stacked: !!shape.stacked, beginAtZero: true, ticks: { precision: 0 } } };
    if (percentCharts[name]) { scales.y.max = 100; }
    new Chart(canvas, {
      type: kind,
      data: { labels: shape.labels, datasets: datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: scales,
                 plugins: { legend: { display: datasets.length > 1 } } }
    });
  });
  document.body.setAttribute("data-rendered", "yes");
})();
