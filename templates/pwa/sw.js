// Metepec *7311 — the residents' app service worker (metepec7311/pwa.py renders it).
// Caches only our own static files and the pages needed offline; everything else (API,
// photos, map tiles, staff pages) goes to the network untouched. docs/app.md explains it.
"use strict";
importScripts({{ store_js|safe }});

var VERSION = {{ version|safe }};
var STATIC_CACHE = "static-" + VERSION;
var PAGES_CACHE = "paginas-" + VERSION;
// Opened offline: the app shell (installed, must all arrive) …
var SHELL_PAGES = {{ shell_pages|safe }};
var SHELL_STATIC = {{ shell_static|safe }};
// … and the report form of every service, fetched after install (one failure is no loss).
var REPORT_PAGES = {{ report_pages|safe }};
var OFFLINE_PAGE = {{ offline_page|safe }};
var MY_REPORTS = {{ my_reports|safe }};
var STATIC_PREFIX = {{ static_prefix|safe }};
var REPORT_FORM = /^\/reportar\/[a-z0-9_-]+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([
    caches.open(PAGES_CACHE).then(function (cache) { return cache.addAll(SHELL_PAGES); }),
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(SHELL_STATIC); })
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name !== STATIC_CACHE && name !== PAGES_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }).then(function () {
    // The report forms, one by one so a 3G phone is not flooded, after the shell works.
    return caches.open(PAGES_CACHE).then(function (cache) {
      return REPORT_PAGES.reduce(function (chain, url) {
        return chain.then(function () { return cache.add(url).catch(function () {}); });
      }, Promise.resolve());
    });
  }));
});

function offlinePage(request) {
  var path = new URL(request.url).pathname;
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.match(path).then(function (page) {
      if (!page) return cache.match(OFFLINE_PAGE);
      if (!REPORT_FORM.test(path)) return page;
      // A cached form carries the submission key it was fetched with; each form opened
      // offline must be a new report, so it gets a key of its own.
      return page.text().then(function (html) {
        var key = self.crypto.randomUUID().replace(/-/g, "");
        html = html.replace(/(name="submission_key" value=")[^"]*"/, "$1" + key + '"');
        return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    });
  });
}

function isPageWorthKeeping(path) {
  return SHELL_PAGES.indexOf(path) !== -1 || REPORT_FORM.test(path);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // tiles and anything foreign: not ours

  if (request.method === "POST" && request.mode === "navigate" && REPORT_FORM.test(url.pathname)) {
    // A report sent without a connection is kept on the phone, never lost.
    var copy = request.clone();
    event.respondWith(fetch(request).catch(function () {
      return copy.formData().then(function (data) {
        return caches.open(PAGES_CACHE)
          .then(function (cache) { return cache.match(url.pathname); })
          .then(function (page) { return page ? page.text() : ""; })
          .then(function (html) {
            var name = (html.match(/<h1>([^<]+)<\/h1>/) || [])[1] || "";
            return self.Reportes.keepReport(url.pathname, data, name);
          });
      }).then(function (item) {
        if (self.registration.sync) self.registration.sync.register("enviar-reportes").catch(function () {});
        return Response.redirect(MY_REPORTS + "?guardado=" + item.key, 303);
      });
    }));
    return;
  }
  if (request.method !== "GET") return;

  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    // Our static files: from the cache, refreshed behind the scenes (names are hashed in
    // production, so a changed file is a new URL).
    event.respondWith(caches.open(STATIC_CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        return hit || fresh;
      });
    }));
    return;
  }

  if (request.mode === "navigate") {
    // Pages: the network first (numbers and statuses must be current), the kept copy offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !url.search && isPageWorthKeeping(url.pathname)) {
        var copy = response.clone();
        caches.open(PAGES_CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () { return offlinePage(request); }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "enviar-reportes") event.waitUntil(self.Reportes.flush().then(notifyPages));
});

self.addEventListener("message", function (event) {
  if (event.data === "enviar-reportes") event.waitUntil(self.Reportes.flush().then(notifyPages));
});

function notifyPages(sent) {
  return self.clients.matchAll().then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ enviados: sent }); });
  });
}
