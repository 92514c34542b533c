// Phone intake: show the caller's earlier tickets as soon as ten digits are typed.
(function () {
  "use strict";
  var form = document.querySelector(".intake-form");
  var input = document.getElementById("id_reporter_phone");
  var box = document.getElementById("caller-history");
  if (!form || !input || !box) return;
  var last = "";

  function render(tickets) {
    var html = "<h2>Reportes anteriores de este teléfono</h2>";
    if (!tickets.length) {
      html += "<p class=\"help\">Sin reportes anteriores.</p>";
    } else {
      html += "<ul>" + tickets.map(function (t) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = t.url; a.textContent = t.folio;
        li.appendChild(a);
        li.appendChild(document.createTextNode(" · " + t.service + " · " + t.status + " · " +
          new Date(t.created).toLocaleDateString("es-MX") + (t.address ? " · " + t.address : "")));
        return li.outerHTML;
      }).join("") + "</ul>";
    }
    box.innerHTML = html;
  }

  input.addEventListener("input", function () {
    var digits = input.value.replace(/\D/g, "").slice(-10);
    if (digits.length !== 10 || digits === last) return;
    last = digits;
    fetch(form.dataset.historyUrl + "?telefono=" + digits, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {tickets: []}; })
      .then(function (data) { render(data.tickets); })
      .catch(function () { /* the "Buscar historial" button still works */ });
  });
})();
