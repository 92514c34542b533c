// The action panel of a ticket's page shows, besides the note, only the fields of the chosen
// move (the hold's question with "Poner en espera", the photos with "Agregar fotos"…). Rows
// carry their moves in data-actions (tickets/admin/forms.py, FIELD_ACTIONS); with no move
// chosen, or without JavaScript, every field shows.
(function () {
  "use strict";
  var form = document.querySelector(".action-form form");
  if (!form) return;
  var rows = form.querySelectorAll(".form-row[data-actions]");

  function update() {
    var chosen = form.querySelector('input[name="action"]:checked');
    rows.forEach(function (row) {
      var moves = row.getAttribute("data-actions").split(" ");
      // A row with an error stays visible whatever is chosen: the message must be seen.
      row.hidden = chosen !== null && moves.indexOf(chosen.value) === -1 && !row.classList.contains("errors");
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "action") update();
  });
  update();
})();
