// The residents' app on every public page: the service worker, reports waiting for a
// connection, and "Mis reportes" (folios kept on this phone). Optional: every page works
// without it. store.js is loaded only where it is needed, to keep the first load small.
(function () {
  "use strict";

  var script = document.currentScript;
  var storeUrl = script && script.dataset.store;
  var storeLoaded = null;

  function withStore() {
    if (!("indexedDB" in window)) return Promise.reject(new Error("sin IndexedDB"));
    if (window.Reportes) return Promise.resolve(window.Reportes);
    if (!storeLoaded) {
      storeLoaded = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = storeUrl;
        tag.onload = function () { resolve(window.Reportes); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return storeLoaded;
  }

  window.MetepecApp = { store: withStore };

  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    navigator.serviceWorker.register(script.dataset.worker, { scope: "/" }).catch(function () {});
  }

  // Send what waits: by the worker when there is one (it also does it on Background Sync),
  // else from this page. The server makes a repeated send harmless (submission key).
  function sendPending() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("enviar-reportes");
      return Promise.resolve();
    }
    return withStore().then(function (store) { return store.flush(); }).then(render, function () {});
  }
  window.addEventListener("online", sendPending);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (!event.data || !event.data.enviados) return;
      render().then(function () {
        var sent = event.data.enviados;
        var status = page && page.querySelector("[data-my-status]");
        if (status && sent.length) {
          status.textContent = sent.length === 1 ? "Enviamos su reporte: folio " + sent[0] + "."
            : "Enviamos " + sent.length + " reportes: folios " + sent.join(", ") + ".";
        }
      });
    });
  }

  // The confirmation page: this phone filed the report, so it goes to "Mis reportes".
  var filed = document.querySelector("[data-remember-report]");
  if (filed) {
    withStore().then(function (store) {
      return store.remember({
        folio: filed.dataset.folio,
        service: filed.dataset.service,
        public_url: filed.dataset.publicUrl,
        private_url: filed.dataset.privateUrl,
        status: filed.dataset.status
      });
    }).catch(function () {});
  }

  // A report's page: "Guardar en Mis reportes" follows it on this phone, no account needed.
  document.querySelectorAll("[data-save-report]").forEach(function (button) {
    button.hidden = false;
    var said = document.getElementById(button.getAttribute("aria-describedby"));
    withStore().then(function (store) { return store.get(store.MINE, button.dataset.folio); }).then(function (kept) {
      if (kept) { button.disabled = true; if (said) said.textContent = "Ya está en Mis reportes de este teléfono."; }
    }).catch(function () { button.hidden = true; });
    button.addEventListener("click", function () {
      withStore().then(function (store) {
        var entry = {
          folio: button.dataset.folio,
          service: button.dataset.service,
          public_url: button.dataset.publicUrl,
          status: button.dataset.status
        };
        if ("private" in button.dataset) entry.private_url = location.href.split("?")[0];
        return store.remember(entry);
      }).then(function () {
        button.disabled = true;
        if (said) said.textContent = "Guardado en Mis reportes de este teléfono.";
      });
    });
  });

  // "Mis reportes".
  var page = document.querySelector("[data-my-reports]");

  function item(text, actions) {
    var li = document.createElement("li");
    li.className = "card";
    text.forEach(function (part) { li.appendChild(part); });
    var row = document.createElement("p");
    actions.forEach(function (action) { row.appendChild(action); row.appendChild(document.createTextNode(" ")); });
    li.appendChild(row);
    return li;
  }
  function para(content, className) {
    var p = document.createElement("p");
    if (className) p.className = className;
    if (typeof content === "string") p.textContent = content; else p.appendChild(content);
    return p;
  }
  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    if (className) a.className = className;
    return a;
  }
  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "button button-secondary"; b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }
  function when(iso) {
    return new Date(iso).toLocaleString("es-MX", { dateStyle: "medium", timeStyle: "short" });
  }

  function render() {
    if (!page) return Promise.resolve();
    var status = page.querySelector("[data-my-status]");
    return withStore().then(function (store) {
      return Promise.all([store.all(store.PENDING), store.all(store.MINE)]).then(function (lists) {
        var pending = lists[0], mine = lists[1];
        page.hidden = false;
        var pendingList = page.querySelector("[data-pending-list]");
        pendingList.textContent = "";
        page.querySelector("[data-pending-section]").hidden = !pending.length;
        pending.forEach(function (report) {
          var title = document.createElement("strong");
          title.textContent = (report.service || "Reporte") + " · " +
            (report.state === "revisar" ? "necesita revisión" : "pendiente de envío");
          var address = (report.fields.filter(function (f) { return f[0] === "address"; })[0] || [])[1] || "";
          var text = [para(title), para("Guardado el " + when(report.saved_at) + (address ? " · " + address : ""), "muted")];
          if (report.state === "revisar") text.push(para(report.problem, "field-error"));
          var actions = [];
          if (report.state === "revisar") actions.push(link(report.url + "?borrador=" + report.key, "Revisar y enviar", "button"));
          actions.push(button("Descartar", function () {
            if (!window.confirm("¿Descartar este reporte sin enviarlo? Se borra de este teléfono.")) return;
            store.remove(store.PENDING, report.key).then(render);
          }));
          pendingList.appendChild(item(text, actions));
        });

        var mineList = page.querySelector("[data-mine-list]");
        mineList.textContent = "";
        page.querySelector("[data-empty]").hidden = mine.length > 0;
        mine.sort(function (a, b) { return (b.saved_at || "").localeCompare(a.saved_at || ""); });
        mine.forEach(function (report) {
          var title = document.createElement("strong");
          title.appendChild(link(report.public_url, report.folio));
          var line = para(title);
          line.appendChild(document.createTextNode(" · " + (report.service || "")));
          var state = para("Estado: " + (report.status || "—"), "muted");
          state.dataset.statusOf = report.folio;
          var text = [line, state];
          if (report.private_url) text.push(para(link(report.private_url, "Enlace privado (agregar información)")));
          mineList.appendChild(item(text, [button("Olvidar " + report.folio, function () {
            store.remove(store.MINE, report.folio).then(function () {
              render().then(function () { status.textContent = "Olvidamos el folio " + report.folio + " en este teléfono."; });
            });
          })]));
        });
        return mine;
      });
    }).then(function (mine) {
      // Fresh statuses when online; the last known one stays when not.
      (mine || []).forEach(function (report) {
        fetch(page.dataset.api + encodeURIComponent(report.folio) + "/", { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (!data) return;
            var shown = page.querySelector('[data-status-of="' + report.folio + '"]');
            if (shown) shown.textContent = "Estado: " + data.status_label;
            return window.Reportes.refresh(report.folio, { status: data.status_label });
          }).catch(function () {});
      });
    }, function () {
      page.hidden = false;
      status.textContent = "Este navegador no permite guardar reportes en el teléfono.";
    });
  }

  if (page) {
    render().then(function () {
      var saved = new URLSearchParams(location.search).get("guardado");
      if (saved) {
        page.querySelector("[data-my-status]").textContent =
          "Sin conexión: guardamos su reporte en este teléfono. Se enviará solo cuando vuelva la señal.";
      }
    });
    page.querySelector("[data-send-now]").addEventListener("click", function () {
      page.querySelector("[data-my-status]").textContent = navigator.onLine
        ? "Enviando…" : "Sigue sin conexión: lo enviaremos en cuanto vuelva la señal.";
      sendPending();
    });
  }
  // Something may wait from an earlier visit (no Background Sync on this browser, or the
  // phone was offline when the worker last woke): the worker looks, at no cost to the page.
  if (navigator.onLine && navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage("enviar-reportes");
  }
})();
