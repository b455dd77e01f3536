// Self-check pages. The check form keeps its draft (answers, notes, position, the device's
// times) in localStorage and its photos in IndexedDB, both keyed by the record's client
// token, and sends the form with fetch: when the connection drops, the draft stays and is
// sent again, with the same token, when the browser is back online (or the page is
// reopened). The server answers a repeated submission with the record it already has.
(function () {
  "use strict";
  const DEVICE_KEY = "anjian.checks.device";

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }
  function deviceId() {
    try {
      let id = localStorage.getItem(DEVICE_KEY);
      if (!id) { id = randomId(); localStorage.setItem(DEVICE_KEY, id); }
      return id;
    } catch (e) { return ""; }
  }
  function nowIso() { return new Date().toISOString(); }

  // Start buttons: the device and its clock go with the start.
  document.querySelectorAll("form[data-ck-start]").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.elements.device_id.value = deviceId();
      f.elements.device_time.value = nowIso();
    });
  });

  const form = document.querySelector("form[data-ck-draft]");
  if (!form) return;
  const token = form.dataset.ckDraft;
  const draftKey = "anjian.checks.draft." + token;
  const sync = document.getElementById("ck-sync");
  const positionText = document.getElementById("ck-position");
  const button = form.querySelector("button[type=submit]");
  let sending = false;
  let retryTimer = null;

  function loadDraft() {
    try { return JSON.parse(localStorage.getItem(draftKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function saveDraft(d) {
    try { localStorage.setItem(draftKey, JSON.stringify(d)); } catch (e) { /* full or private mode */ }
  }
  let draft = loadDraft();
  if (!draft.device_started_at) { draft.device_started_at = nowIso(); saveDraft(draft); }
  form.elements.device_id.value = form.elements.device_id.value || deviceId();
  form.elements.device_started_at.value = draft.device_started_at;

  // --- photos in IndexedDB (localStorage holds text only) ---------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      const req = indexedDB.open("anjian-checks", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("photos"); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function dbDo(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction("photos", mode);
        const result = fn(tx.objectStore("photos"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function putPhoto(key, file) { return dbDo("readwrite", function (s) { return s.put({ name: file.name, blob: file }, token + "/" + key); }); }
  function getPhoto(key) { return dbDo("readonly", function (s) { return s.get(token + "/" + key); }); }
  function dropPhotos() {
    return dbDo("readwrite", function (s) {
      return s.delete(IDBKeyRange.bound(token + "/", token + "/\uffff"));
    }).catch(function () {});
  }
  function itemKeys() {
    return Array.prototype.map.call(form.querySelectorAll("[data-item]"), function (el) { return el.dataset.item; });
  }
  function showKept(key, name) {
    const el = form.querySelector('[data-photo-kept="' + key + '"]');
    if (el) el.textContent = name ? "✓ " + name : "";
  }

  // --- the draft's text fields ------------------------------------------------------------
  function collect() {
    const d = loadDraft();
    d.answers = {};
    itemKeys().forEach(function (key) {
      const checked = form.querySelector('input[name="status_' + key + '"]:checked');
      d.answers[key] = {
        status: checked ? checked.value : "",
        note: form.elements["note_" + key].value,
      };
    });
    ["lat", "lon", "accuracy", "device_started_at", "device_submitted_at"].forEach(function (n) {
      if (form.elements[n].value) d[n] = form.elements[n].value;
    });
    return d;
  }
  function restore() {
    const answers = draft.answers || {};
    let restored = false;
    Object.keys(answers).forEach(function (key) {
      const a = answers[key];
      if (a.status) {
        const radio = form.querySelector('input[name="status_' + key + '"][value="' + a.status + '"]');
        if (radio && !form.querySelector('input[name="status_' + key + '"]:checked')) { radio.checked = true; restored = true; }
      }
      const note = form.elements["note_" + key];
      if (note && a.note && !note.value) { note.value = a.note; restored = true; }
    });
    ["lat", "lon", "accuracy", "device_submitted_at"].forEach(function (n) {
      if (draft[n]) form.elements[n].value = draft[n];
    });
    itemKeys().forEach(function (key) {
      getPhoto(key).then(function (p) { if (p) { showKept(key, p.name); } }).catch(function () {});
    });
    if (restored) say(form.dataset.msgRestored);
  }
  function say(text) { sync.textContent = text || ""; }

  form.addEventListener("input", function () { saveDraft(collect()); });
  form.addEventListener("change", function (e) {
    const t = e.target;
    if (t.type === "file" && t.files && t.files[0]) {
      const key = t.name.replace("photo_", "");
      putPhoto(key, t.files[0]).then(function () { showKept(key, t.files[0].name); }).catch(function () {});
    }
    saveDraft(collect());
  });

  // --- position and time from the device --------------------------------------------------
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.elements.accuracy.value = Math.round(pos.coords.accuracy);
      positionText.textContent = form.dataset.msgPosition.replace("%(m)s", Math.round(pos.coords.accuracy));
      saveDraft(collect());
    }, function () {
      if (!form.elements.lat.value) positionText.textContent = form.dataset.msgNoPosition;
    }, { enableHighAccuracy: true, maximumAge: 60000, timeout: 30000 });
  } else {
    positionText.textContent = form.dataset.msgNoPosition;
  }

  // --- sending ---------------------------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll("[data-err]").forEach(function (el) {
      el.textContent = "";
      if (el.dataset.err === "__all__") el.classList.add("is-hidden");
    });
  }
  function showErrors(errors) {
    const general = [];
    Object.keys(errors).forEach(function (name) {
      const el = form.querySelector('[data-err="' + name + '"]');
      const text = errors[name].join(" ");
      if (el && name !== "__all__") el.textContent = text; else general.push(text);
    });
    const box = form.querySelector('[data-err="__all__"]');
    if (general.length) { box.textContent = general.join(" "); box.classList.remove("is-hidden"); }
    say(form.dataset.msgErrors);
    const first = form.querySelector(".field-error:not(:empty)");
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
  }
  function body() {
    const fd = new FormData(form);
    const jobs = itemKeys().map(function (key) {
      const input = form.elements["photo_" + key];
      if (input && input.files && input.files.length) return Promise.resolve();
      fd.delete("photo_" + key);
      return getPhoto(key).then(function (p) { if (p) fd.append("photo_" + key, p.blob, p.name); }).catch(function () {});
    });
    return Promise.all(jobs).then(function () { return fd; });
  }
  function send() {
    if (sending) return;
    sending = true;
    clearTimeout(retryTimer);
    button.disabled = true;
    say(form.dataset.msgSending);
    const csrf = form.elements.csrfmiddlewaretoken ? form.elements.csrfmiddlewaretoken.value : "";
    body().then(function (fd) {
      return fetch(form.action, {
        method: "POST", body: fd, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf },
      });
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      sending = false;
      button.disabled = false;
      if (res.status === 200 && res.data.url) {
        try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
        dropPhotos().then(function () { window.location.assign(res.data.url); });
        return;
      }
      const d = loadDraft(); d.pending = false; saveDraft(d);
      showErrors(res.data.errors || {});
    }).catch(function () {
      // No answer (offline, dropped connection, a proxy's error page): keep it and retry.
      sending = false;
      button.disabled = false;
      say(form.dataset.msgOffline);
      retryTimer = setTimeout(send, 15000);
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearErrors();
    if (!form.elements.device_submitted_at.value) form.elements.device_submitted_at.value = nowIso();
    const d = collect(); d.pending = true; saveDraft(d);
    send();
  });
  window.addEventListener("online", function () { if (loadDraft().pending) send(); });

  restore();
  if (draft.pending) send();
})();
