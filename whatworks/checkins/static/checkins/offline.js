/* The worker's list without signal.
 *
 * A service worker (checkins/sw.js) keeps today's list, with its visit forms, so the page
 * opens again without a connection (on the day it was saved). Each visit is put in
 * IndexedDB (the "checkins" database) before any attempt to send it, holding only what the
 * visit needs: the form's fields (person by id, never by name), the round, the worker and
 * when it was saved. An entry leaves when the server answers 200 or 201 (stored, or already
 * stored: the server deduplicates on the visit's UUID), or when it is older than
 * EXPIRY_HOURS (the banner says so); signing out clears the database and the saved lists.
 * Queued visits are sent when the browser comes back online, every 20 seconds while any
 * wait, and on the next page load.
 *
 * An emergency answer or outcome shows the 999/111 guidance at once, with no connection,
 * and the guidance stays on the list after saving; the coordinator is texted when the visit
 * reaches the server.
 */
(function () {
  "use strict";
  var list = document.getElementById("checkins-list");
  if (!list || !window.indexedDB || !window.fetch || !window.Promise) { return; }
  var USER = list.getAttribute("data-user");
  var ROUND = list.getAttribute("data-round");
  var EXPIRY_HOURS = 72;
  var DB_NAME = "checkins";
  var STORE = "visits";
  var status = document.getElementById("checkins-sync");
  var sending = false;
  var notice = "";

  // --- IndexedDB -------------------------------------------------------------------------
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }
  function all() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return item.user === USER; });
    });
  }
  function put(item) { return withStore("readwrite", function (store) { store.put(item); }); }
  function remove(key) { return withStore("readwrite", function (store) { store.delete(key); }); }
  function value(item, name) {
    for (var i = 0; i < item.pairs.length; i++) { if (item.pairs[i][0] === name) { return item.pairs[i][1]; } }
    return "";
  }

  // --- The page ----------------------------------------------------------------------------
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
  function say(text) {
    if (!status) { return; }
    status.hidden = !text;
    status.textContent = text;
  }
  function report() {
    return all().then(function (items) {
      var waiting = items.length;
      var parts = [];
      if (notice) { parts.push(notice); }
      if (!navigator.onLine) { parts.push("No connection: this is today's list as saved on this phone."); }
      if (waiting) {
        parts.push(waiting + (waiting === 1 ? " visit waits" : " visits wait") +
          " to send. " + (waiting === 1 ? "It is" : "They are") +
          " saved on this phone and will be sent when the connection returns.");
      } else if (status && status.getAttribute("data-sent")) {
        parts.push("All visits are sent.");
      }
      say(parts.join(" "));
    }).catch(function () {});
  }

  function flush() {
    if (sending) { return; }
    sending = true;
    all().then(function (items) {
      if (!items.length) { sending = false; return report(); }
      var item = items[0];
      return fetch(item.url, {
        method: "POST", body: new URLSearchParams(item.pairs), credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": value(item, "csrfmiddlewaretoken") }
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        if ((response.status === 200 || response.status === 201) && json) {
          return response.json().then(function (data) {
            return remove(item.key).then(function () {
              if (item.round === ROUND) { mark(item.resident, data.outcome || "", "govuk-tag--green"); }
              if (status) { status.setAttribute("data-sent", "1"); }
              sending = false;
              flush();
            });
          });
        }
        if (response.status === 400 && json) {
          // The server refused it (a mistake in the form): out of the queue, and say so.
          return response.json().then(function (problem) {
            return remove(item.key).then(function () {
              var detail = (problem.errors && problem.errors[0] && problem.errors[0].detail) || problem.title;
              notice = "A visit was not recorded: " + detail + ". Reload the page to record it again.";
              sending = false;
              flush();
            });
          });
        }
        sending = false;  // signed out, or the server is down: keep it for later
        return report();
      });
    }).catch(function () { sending = false; report(); });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

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
      say("Select what happened at the visit.");
      return;
    }
    var pairs = [];
    new FormData(form).forEach(function (v, name) { pairs.push([name, String(v)]); });
    var item = {
      key: form.querySelector("input[name=client_uuid]").value || newUuid(),
      user: USER,
      round: ROUND,
      resident: form.querySelector("input[name=resident]").value,
      url: form.action,
      pairs: pairs,
      savedAt: Date.now()
    };
    var label = form.querySelector("input[name=outcome]:checked + label");
    var guidance = form.querySelector("input[data-emergency]:checked") &&
      form.querySelector("[data-emergency-guidance]");
    var kept = guidance ? guidance.cloneNode(true) : null;
    put(item).then(function () {
      mark(item.resident, label ? label.textContent : "", "govuk-tag--grey");
      if (kept) {
        // Keep the guidance on the list after saving: the worker may still be on the phone.
        kept.hidden = false;
        entryFor(item.resident).querySelector("[data-status]").after(kept);
      }
      report();
      flush();
    }, function () { say("This phone could not save the visit. Try again, or use the no-signal paper form."); });
  });

  // Visits older than EXPIRY_HOURS are not kept: a phone left in a drawer holds no health
  // answers for long.
  all().then(function (items) {
    var limit = Date.now() - EXPIRY_HOURS * 3600 * 1000;
    var old = items.filter(function (item) { return item.savedAt < limit; });
    if (old.length) {
      notice = old.length + (old.length === 1 ? " visit" : " visits") + " saved more than " +
        (EXPIRY_HOURS / 24) + " days ago could not be sent and " +
        (old.length === 1 ? "was" : "were") + " removed from this phone. Tell your coordinator.";
    }
    return Promise.all(old.map(function (item) { return remove(item.key); })).then(function () {
      items.filter(function (item) { return item.savedAt >= limit && item.round === ROUND; })
        .forEach(function (item) { mark(item.resident, "", "govuk-tag--grey"); });
    });
  }).then(report, report).then(flush);

  window.addEventListener("online", flush);
  window.addEventListener("online", report);
  window.addEventListener("offline", report);
  setInterval(function () { flush(); }, 20000);

  // The service worker keeps today's list for opening without signal.
  if ("serviceWorker" in navigator) {
    var swUrl = list.getAttribute("data-sw");
    var controlledAtLoad = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // A page the worker did not load (the first visit): ask it to keep this list.
      if (navigator.onLine && registration.active && !controlledAtLoad) {
        registration.active.postMessage({ type: "save-list", url: location.pathname });
      }
    }).catch(function () {});
  }
})();
