// What the residents' app keeps on the phone, shared by the pages and the service worker
// (importScripts): reports waiting for a connection and the folios of "Mis reportes".
//
// IndexedDB, not localStorage: it survives a closed tab, holds photos as Blobs, and the
// service worker can read it. Nothing here leaves the device except the report itself,
// sent to our own server once the network returns.
(function (root) {
  "use strict";

  var DB_NAME = "metepec7311";
  var PENDING = "pendientes"; // reports not yet received by the server, keyed by submission key
  var MINE = "mis_reportes"; // folios filed or followed on this device, keyed by folio
  var dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = root.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains(PENDING)) db.createObjectStore(PENDING, { keyPath: "key" });
          if (!db.objectStoreNames.contains(MINE)) db.createObjectStore(MINE, { keyPath: "folio" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var result = work(tx.objectStore(storeName));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  var store = {
    all: function (name) { return run(name, "readonly", function (s) { return s.getAll(); }); },
    get: function (name, key) { return run(name, "readonly", function (s) { return s.get(key); }); },
    put: function (name, value) { return run(name, "readwrite", function (s) { s.put(value); }); },
    remove: function (name, key) { return run(name, "readwrite", function (s) { s.delete(key); }); },
    PENDING: PENDING,
    MINE: MINE
  };

  // A report form, as sent, turned into something IndexedDB keeps: text fields as pairs,
  // photos as Blobs with their names. The submission key makes every later send the same one.
  store.keepReport = function (url, formData, serviceName) {
    var fields = [];
    var photos = [];
    formData.forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
      else if (value && value.size) photos.push({ field: name, name: value.name, type: value.type, blob: value });
    });
    var key = (fields.filter(function (f) { return f[0] === "submission_key"; })[0] || [])[1];
    if (!key) return Promise.reject(new Error("sin clave de envío"));
    var item = {
      key: key,
      url: url,
      service: serviceName || "",
      fields: fields,
      photos: photos,
      saved_at: new Date().toISOString(),
      state: "pendiente",
      problem: ""
    };
    return store.put(PENDING, item).then(function () { return item; });
  };

  store.remember = function (entry) {
    return store.get(MINE, entry.folio).then(function (old) {
      var merged = Object.assign({ saved_at: new Date().toISOString() }, old || {}, entry);
      return store.put(MINE, merged);
    });
  };

  // A fresher status for a folio still kept (a folio forgotten meanwhile stays forgotten).
  store.refresh = function (folio, changes) {
    return store.get(MINE, folio).then(function (old) {
      return old ? store.put(MINE, Object.assign(old, changes)) : undefined;
    });
  };

  // One pending report to the server. A fresh form page gives a valid CSRF token (and its
  // cookie): the one saved with the report may be days old. Answers:
  //   the confirmation page → received (a folio), remembered in "Mis reportes", forgotten here;
  //   a page with the form again → kept as "revisar" with the server's first message;
  //   429 or a network failure → kept as it was, tried again later.
  function sendOne(item) {
    return fetch(item.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (page) { return page.text(); })
      .then(function (html) {
        var token = (html.match(/name="csrfmiddlewaretoken" value="([^"]+)"/) || [])[1];
        var body = new FormData();
        item.fields.forEach(function (pair) {
          if (pair[0] === "csrfmiddlewaretoken") return;
          if (pair[0] === "follow") return; // a "same as" choice needs the resident's eyes
          body.append(pair[0], pair[1]);
        });
        if (token) body.append("csrfmiddlewaretoken", token);
        // Sent without the resident watching: nobody can answer "is it one of these?", so it
        // goes in as a new report and staff link duplicates (docs/decisions.md).
        body.set("confirm_new", "1");
        item.photos.forEach(function (p) { body.append(p.field, p.blob, p.name); });
        return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" });
      })
      .then(function (response) {
        var folio = response.headers.get("X-Folio");
        if (response.ok && folio) {
          // Another sender (a page, a second wake-up of the worker) may have finished first
          // and the resident may have forgotten the folio since: only the sender that still
          // finds the report waiting files it in "Mis reportes".
          return store.get(PENDING, item.key).then(function (waiting) {
            if (!waiting) return folio;
            return store.remember({
              folio: folio,
              service: item.service,
              public_url: "/seguimiento/" + encodeURIComponent(folio) + "/",
              private_url: new URL(response.url).pathname.indexOf("/reportar/recibido/") === 0 ? response.url : "",
              status: "Recibido",
              sent_offline: true
            }).then(function () { return store.remove(PENDING, item.key); }).then(function () { return folio; });
          });
        }
        if (response.status === 429 || response.status >= 500) return null; // later
        return response.text().then(function (html) {
          var said = html.match(/class="error-summary"[\s\S]*?<li>\s*(?:<a [^>]*>)?([^<]+)/);
          item.state = "revisar";
          item.problem = said ? said[1] : "Revise los datos del reporte antes de enviarlo.";
          return store.put(PENDING, item).then(function () { return null; });
        });
      });
  }

  // Every pending report, one after the other. Concurrent flushes (a page and the service
  // worker) are harmless: the server answers a repeated submission key with the first ticket.
  var flushing = null; // one flush at a time in this page or worker

  store.flush = function () {
    if (flushing) return flushing;
    flushing = store.all(PENDING).then(function (items) {
      var sent = [];
      return items
        .filter(function (item) { return item.state === "pendiente"; })
        .reduce(function (chain, item) {
          return chain.then(function () {
            return sendOne(item).then(function (folio) { if (folio) sent.push(folio); }, function () {});
          });
        }, Promise.resolve())
        .then(function () { return sent; });
    }).then(function (sent) { flushing = null; return sent; }, function (error) { flushing = null; throw error; });
    return flushing;
  };

  root.Reportes = store;
})(typeof self !== "undefined" ? self : window);
