// The print button of a printable page (receipt, letter): the print is recorded on the case's
// timeline by the form's POST, then the browser's print dialog opens. Without script the form
// posts normally and the page comes back with a note to print it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-print-record]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        // A fresh key for the next press: each print is recorded once, and only once.
        var key = form.querySelector("input[name=edit_key]");
        if (key && answer && answer.next_key) { key.value = answer.next_key; }
        window.print();
      }).catch(function () {
        form.submit();
      }).finally(function () {
        if (button) { button.disabled = false; }
      });
    });
  });
  // A print button with nothing to record (the decision letter, the freeze case's decision table): the browser's print dialog.
  document.querySelectorAll("[data-print-now]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
