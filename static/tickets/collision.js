// Collision notice on a ticket's page (tickets/admin/tickets.py, changes_view): every few
// seconds, and when the tab comes back into view, ask whether someone else changed the
// ticket after the newest change this page shows, and say so before the user acts on it.
// Sending a stale form is refused by the server anyway; this only warns earlier.
(function () {
  "use strict";
  var page = document.querySelector(".ticket-page[data-changes-url]");
  var seen = document.querySelector('input[name="seen_event"]');
  if (!page || !seen || !window.fetch) return;
  var notice = page.querySelector(".collision");
  var url = page.getAttribute("data-changes-url");
  var EVERY_MS = 15000;

  function show(changes) {
    notice.textContent = "";
    changes.forEach(function (change) {
      var line = document.createElement("p");
      line.textContent = change.message;
      notice.appendChild(line);
    });
    var reload = document.createElement("a");
    reload.href = window.location.pathname;
    reload.className = "button";
    reload.textContent = "Recargar el ticket";
    notice.appendChild(reload);
    notice.hidden = false;
  }

  function check() {
    if (document.hidden) return;
    fetch(url + "?desde=" + encodeURIComponent(seen.value || "0"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && body.changes && body.changes.length) show(body.changes); })
      .catch(function () { /* offline for a moment: the next check tries again */ });
  }

  window.setInterval(check, EVERY_MS);
  document.addEventListener("visibilitychange", check);
  window.metepecCheckCollisions = check; // for the browser tests, which cannot wait 15 s
})();
