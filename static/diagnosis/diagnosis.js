// The scoring form's live total: 100 minus each item's deduction (capped at its points),
// its class by the guide's bands, red when a direct-red situation is ticked. A preview
// only: the server computes the recorded score exactly.
(function () {
  "use strict";
  const form = document.getElementById("diagnosis-form");
  if (!form) return;
  const live = form.querySelector(".diag-live");
  const scoreOut = form.querySelector("[data-live-score]");
  const classOut = form.querySelector("[data-live-class]");
  const words = {};
  const template = document.getElementById("diag-class-words");
  if (template) {
    template.content.querySelectorAll("[data-colour]").forEach(function (el) {
      words[el.dataset.colour] = el.textContent;
    });
  }
  let config;
  try {
    config = JSON.parse(form.dataset.bands);
  } catch (e) {
    return;
  }
  // Hundredths as integers: 100 − 40.01 is 59.99 here too, not 59.990000000000002.
  const hundredths = function (text) {
    const value = String(text || "").trim();
    if (!/^\d+(\.\d{1,2})?$/.test(value)) return value === "" ? 0 : null;
    const [whole, frac = ""] = value.split(".");
    return parseInt(whole, 10) * 100 + parseInt((frac + "00").slice(0, 2), 10);
  };
  const total = hundredths(config.total);
  const update = function () {
    let deducted = 0;
    let valid = true;
    form.querySelectorAll(".deduction-input").forEach(function (input) {
      const value = hundredths(input.value);
      if (value === null) {
        valid = false;
        return;
      }
      deducted += Math.min(value, hundredths(input.dataset.max));
    });
    if (!valid) {
      scoreOut.textContent = "—";
      classOut.className = "risk-chip risk-none";
      classOut.textContent = "?";
      return;
    }
    const score = Math.max(0, total - deducted);
    let colour = "red";
    config.bands.forEach(function (band) {
      const from = band.from === null ? -Infinity : hundredths(band.from);
      const below = band.below === null ? Infinity : hundredths(band.below);
      if (score >= from && score < below) colour = band.colour;
    });
    if (form.querySelector(".direct-red-input:checked")) colour = "red";
    const text = (score / 100).toFixed(2).replace(/\.?0+$/, "");
    scoreOut.textContent = text;
    classOut.className = "risk-chip risk-" + colour;
    classOut.textContent = words[colour] || colour;
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  live.hidden = false;
  update();
})();
