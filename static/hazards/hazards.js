// The report form asks, while the user types, whether the hazard is already in the
// ledger (similar open or recently closed hazards of the same enterprise), so they open
// it instead of entering it twice.
(function () {
  const form = document.querySelector("form.hz-report[data-similar-url]");
  if (!form) return;
  const box = document.getElementById("similar-box");
  const fields = ["description", "risk_unit_id", "hazard_type"];
  let timer = null;
  let last = "";
  // The server reads at most this much of the description (views.SIMILAR_TEXT_LIMIT).
  const textLimit = 2000;
  function ask() {
    const params = new URLSearchParams();
    for (const name of fields) {
      const el = form.elements[name];
      if (el && el.value) params.set(name, name === "description" ? el.value.slice(0, textLimit) : el.value);
    }
    const query = params.toString();
    if (query === last || (params.get("description") || "").trim().length < 4) return;
    last = query;
    // In the body, not the URL: a long description would exceed the URL limits (HTTP 414).
    const token = form.elements.csrfmiddlewaretoken;
    fetch(form.dataset.similarUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: params,
    })
      .then((r) => (r.ok ? r.text() : ""))
      .then((html) => { box.innerHTML = html; })
      .catch(() => {});
  }
  for (const name of fields) {
    const el = form.elements[name];
    if (!el) continue;
    el.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 500); });
    el.addEventListener("change", ask);
  }
})();

// Long submissions (photos on a slow phone line, a 5,000-row import) say that they are
// working, and cannot be sent twice.
(function () {
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      const button = form.querySelector("button[type=submit]");
      if (!button || button.disabled) return;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      const note = document.createElement("p");
      note.className = "help hz-busy";
      note.setAttribute("role", "status");
      note.textContent = form.dataset.busy;
      button.parentNode.appendChild(note);
    });
  });
})();
