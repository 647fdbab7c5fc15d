/* Keep visit recordings on the phone until the server has them.
 *
 * Each form submit becomes an entry in localStorage (with the visit's UUID) before any
 * attempt to send it; an entry leaves only when the server answers 200 or 201 (stored, or
 * already stored). A dropped connection leaves it queued; it is sent again when the browser
 * comes back online, every 20 seconds while anything waits, and on the next page load. The
 * server deduplicates on the UUID, so a resend after a lost reply stores nothing twice.
 *
 * The forms come from <template> elements in the page (one per question set), so a visit
 * can be recorded with no connection at all; without JavaScript each "Record the visit"
 * link opens a server page with the same form.
 */
(function () {
  "use strict";
  var list = document.getElementById("checkins-list");
  if (!list || !window.localStorage || !window.fetch) { return; }
  var KEY = list.getAttribute("data-queue-key");
  var status = document.getElementById("checkins-sync");
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function entryFor(resident) { return document.getElementById("visit-" + resident); }
  function mark(resident, text, tag) {
    var entry = entryFor(resident);
    if (!entry) { return; }
    var statusPlace = entry.querySelector("[data-status]");
    statusPlace.textContent = "";
    var strong = document.createElement("strong");
    strong.className = "govuk-tag " + tag;
    strong.textContent = tag === "govuk-tag--green" ? "Recorded" : "Saved on this phone";
    statusPlace.appendChild(strong);
    statusPlace.appendChild(document.createTextNode(" " + text));
    var link = entry.querySelector("[data-visit-link]");
    if (link) { link.parentNode.remove(); }
    var place = entry.querySelector("[data-visit-form-place]");
    if (place) { place.textContent = ""; }
  }
  function report() {
    var waiting = load().length;
    if (!status) { return; }
    status.hidden = waiting === 0 && !status.textContent;
    if (waiting) {
      status.textContent = waiting + (waiting === 1 ? " visit is" : " visits are") +
        " saved on this phone and will be sent when the connection returns.";
    } else if (status.textContent) {
      status.textContent = "All visits are sent.";
    }
  }

  function flush() {
    if (sending) { return; }
    var queue = load();
    if (!queue.length) { report(); return; }
    sending = true;
    var item = queue[0];
    var body = new URLSearchParams(item.fields);
    fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": item.fields.csrfmiddlewaretoken }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
      if ((response.status === 200 || response.status === 201) && json) {
        return response.json().then(function (data) {
          save(load().filter(function (q) { return q.fields.client_uuid !== item.fields.client_uuid; }));
          mark(item.fields.resident, data.outcome || "", "govuk-tag--green");
          sending = false;
          flush();
        });
      }
      if (response.status === 400 && json) {
        // The server refused it (a mistake in the form): keep it out of the queue and say so.
        return response.json().then(function (problem) {
          save(load().filter(function (q) { return q.fields.client_uuid !== item.fields.client_uuid; }));
          var detail = (problem.errors && problem.errors[0] && problem.errors[0].detail) || problem.title;
          if (status) { status.hidden = false; status.textContent = "A visit was not recorded: " + detail + ". Reload the page to record it again."; }
          sending = false;
          flush();
        });
      }
      sending = false;  // signed out, or the server is down: keep it for later
      report();
    }).catch(function () { sending = false; report(); });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  list.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-visit-link]");
    if (!link) { return; }
    event.preventDefault();
    var entry = entryFor(link.getAttribute("data-resident"));
    var place = entry.querySelector("[data-visit-form-place]");
    if (place.firstElementChild) { place.textContent = ""; link.setAttribute("aria-expanded", "false"); return; }
    var template = document.getElementById(link.getAttribute("data-form"));
    place.innerHTML = template.innerHTML
      .split("__RID__").join(link.getAttribute("data-resident"))
      .split("__NAME__").join(escapeHtml(link.getAttribute("data-name")))
      .split("__UUID__").join(newUuid())
      .split("__CSRF__").join('<input type="hidden" name="csrfmiddlewaretoken" value="' +
        escapeHtml(document.querySelector("#checkins-csrf input").value) + '">');
    link.setAttribute("aria-expanded", "true");
    var contacts = entry.querySelector("template[data-contacts]");
    var contactsPlace = place.querySelector("[data-contacts-place]");
    if (contacts && contactsPlace && contacts.innerHTML.trim()) {
      contactsPlace.innerHTML = ": " + contacts.innerHTML;
    }
    update(place.querySelector("form"));
    var first = place.querySelector("input[type=radio]");
    if (first) { first.focus(); }
  });

  // An emergency answer or outcome shows what to do at once (no connection needed), and
  // "Reason, if not visited" shows only when the visit did not happen.
  function update(form) {
    if (!form) { return; }
    var emergency = !!form.querySelector("input[data-emergency]:checked");
    var guidance = form.querySelector("[data-emergency-guidance]");
    var wasHidden = guidance && guidance.hidden;
    form.querySelectorAll("[data-emergency-guidance], [data-emergency-actions]").forEach(function (el) {
      el.hidden = !emergency;
    });
    if (guidance && emergency && wasHidden) {
      guidance.setAttribute("role", "alert");
      guidance.scrollIntoView({ block: "start" });
    }
    form.querySelectorAll("[data-reveal]").forEach(function (el) {
      var trigger = form.querySelector("input[data-reveals='" + el.id + "']");
      el.hidden = !(trigger && trigger.checked);
    });
  }
  list.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.checkins-visit-form");
    if (form) { update(form); }
  });

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("checkins-visit-form")) { return; }
    event.preventDefault();
    if (!form.querySelector("input[name=outcome]:checked")) {
      form.querySelector("input[name=outcome]").focus();
      if (status) { status.hidden = false; status.textContent = "Select what happened at the visit."; }
      return;
    }
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
    fields.client_uuid = fields.client_uuid || newUuid();
    var queue = load();
    if (!queue.some(function (q) { return q.fields.client_uuid === fields.client_uuid; })) {
      queue.push({ url: form.action, fields: fields });
      save(queue);
    }
    var label = form.querySelector("input[name=outcome]:checked + label");
    var guidance = form.querySelector("input[data-emergency]:checked") &&
      form.querySelector("[data-emergency-guidance]");
    mark(fields.resident, label ? label.textContent : "", "govuk-tag--grey");
    if (guidance) {
      // Keep the guidance on the list after saving: the worker may still be on the phone.
      var kept = guidance.cloneNode(true);
      kept.hidden = false;
      entryFor(fields.resident).querySelector("[data-status]").after(kept);
    }
    report();
    flush();
  });

  load().forEach(function (item) { mark(item.fields.resident, "", "govuk-tag--grey"); });
  window.addEventListener("online", flush);
  setInterval(function () { if (load().length) { flush(); } }, 20000);
  report();
  flush();
})();
