/* Call & Check offline: the worker's list for today, with its visit forms, opens without
 * signal. Served from {{ sw_url }} with scope "/" so that signing out (a POST to
 * {{ sign_out }}) clears everything this worker left on the phone.
 *
 * - Today's list (/checkins/rounds/<id>/today/): network first; a copy is kept, stamped
 *   with the day; without a connection the copy is shown, only on the day it was saved.
 * - Static files: network first, a copy kept for offline use.
 * - Nothing else is touched: other pages go to the network as usual.
 * Visits waiting to be sent are kept by the page in IndexedDB ("checkins"), not here.
 */
"use strict";
var LISTS = "checkins-lists-v1";
var ASSETS = "checkins-assets-v1";
var LIST_PATH = /^\/checkins\/rounds\/\d+\/today\/$/;
var STATIC = "{{ static_url|escapejs }}";
var SIGN_OUT = "{{ sign_out|escapejs }}";
var OFFLINE_PAGE = "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
  "<title>No connection: today's list is not on this phone</title></head>" +
  "<body style=\"font-family: arial, sans-serif; margin: 1em; max-width: 40em\">" +
  "<h1>No connection</h1><p>Today's list is not saved on this phone. Open it once while " +
  "you have a connection, and it will open without one for the rest of the day.</p>" +
  "<p>If someone is in danger, call 999. For urgent medical help, call 111.</p></body></html>";

function today() {
  var d = new Date();
  return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate();
}

function clearAll() {
  return Promise.all([caches.delete(LISTS), caches.delete(ASSETS), new Promise(function (done) {
    var request = indexedDB.deleteDatabase("checkins");
    request.onsuccess = request.onerror = request.onblocked = function () { done(); };
  })]);
}

function saveList(url, response) {
  if (!response.ok || response.type !== "basic") { return Promise.resolve(); }
  return response.clone().blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Checkins-Saved-On", today());
    return caches.open(LISTS).then(function (cache) {
      return cache.put(url, new Response(body, { status: 200, headers: headers }));
    });
  });
}

function list(request) {
  return fetch(request).then(function (response) {
    return saveList(request.url, response).then(function () { return response; });
  }, function () {
    return caches.open(LISTS).then(function (cache) {
      return cache.match(request.url).then(function (saved) {
        if (saved && saved.headers.get("X-Checkins-Saved-On") === today()) { return saved; }
        if (saved) { cache.delete(request.url); }  // an earlier day's list is never shown
        return new Response(OFFLINE_PAGE, {
          status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
        });
      });
    });
  });
}

function asset(request) {
  return caches.open(ASSETS).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok) { cache.put(request, response.clone()); }
      return response;
    }, function (error) {
      return cache.match(request).then(function (hit) { if (hit) { return hit; } throw error; });
    });
  });
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  // The page that registered the worker asks for its list to be kept (its own load did
  // not pass through the worker yet).
  var data = event.data || {};
  if (data.type === "save-list" && LIST_PATH.test(new URL(data.url, self.location).pathname)) {
    event.waitUntil(fetch(data.url, { credentials: "same-origin" }).then(function (response) {
      return saveList(data.url, response);
    }).catch(function () {}));
  }
  if (data.type === "clear") { event.waitUntil(clearAll()); }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === SIGN_OUT) {
    event.waitUntil(clearAll());  // signing out leaves nothing of theirs on the phone
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate" && LIST_PATH.test(url.pathname)) {
    event.respondWith(list(request));
  } else if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(asset(request));
  }
});
