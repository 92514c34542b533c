// Respuestas predefinidas on a ticket's page: choosing one fills the note with its text
// (already filled in with this ticket's folio, service, due date…), marks its suggested
// action when that action is offered, and says whether the text is public. Without
// JavaScript the form does the same on the server when the note is left empty.
(function () {
  "use strict";
  var data = document.getElementById("macro-texts");
  var chooser = document.getElementById("id_macro");
  var note = document.getElementById("id_note");
  if (!data || !chooser || !note) return;
  var macros = JSON.parse(data.textContent);

  function check(selector) {
    var input = document.querySelector(selector);
    if (input) {
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true })); // the panel shows its fields
    }
    return input;
  }

  chooser.addEventListener("change", function () {
    var macro = macros[chooser.value];
    if (!macro) return;
    note.value = note.value.trim() ? note.value.replace(/\s+$/, "") + "\n\n" + macro.text : macro.text;
    check('input[name="action"][value="' + macro.action + '"]');
    var isPublic = document.getElementById("id_public");
    if (isPublic) isPublic.checked = macro.public;
    check('input[name="reason_public"][value="' + (macro.public ? "si" : "no") + '"]');
    note.focus();
  });
})();
