/* Rows of the intake's items and transactions added and removed on the page, without a reload.

   Progressive enhancement over the Django formset: a new row is a copy of the formset's empty
   form (the <template data-row-template>, its "__prefix__" replaced by the next index, and
   TOTAL_FORMS raised); removing a row ticks its 削除 box (out of sight once script runs) and hides
   the row, so the server deletes a saved row and ignores a new one. Without script, 「行を追加」 posts and the page comes back with
   a blank row, and the 削除 box removes a row on saving. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-row-prefix]").forEach(function (form) {
    var prefix = form.dataset.rowPrefix;
    var total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var max = form.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var template = form.querySelector("template[data-row-template]");
    var rows = form.querySelector("[data-rows]");
    var add = form.querySelector('button[name="add_row"]');
    if (!total || !template || !rows || !add) {
      return;
    }

    function changed() {
      form.dispatchEvent(new CustomEvent("intake:rows"));
    }

    // With script, the row's button removes it: its 削除 box stays in the form (the button ticks
    // it) but out of sight, so the teller sees one way to remove a row, not two.
    function enable(row) {
      row.querySelectorAll("[data-row-remove]").forEach(function (button) {
        button.classList.remove("d-none");
      });
      row.querySelectorAll("[data-row-delete]").forEach(function (box) {
        box.classList.add("d-none");
      });
    }

    rows.querySelectorAll("[data-row]").forEach(enable);

    add.addEventListener("click", function (event) {
      var index = Number(total.value);
      if (max && index >= Number(max.value)) {
        return; // the server says how many rows it takes; past that the form posts as before
      }
      event.preventDefault();
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("[data-row]");
      if (!row) {
        return;
      }
      rows.appendChild(row);
      total.value = String(index + 1);
      enable(row);
      row.dispatchEvent(new CustomEvent("intake:row-added", { bubbles: true }));
      var first = row.querySelector("select, input:not([type=hidden]), textarea");
      if (first) {
        first.focus();
      }
      changed();
    });

    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-row-remove]");
      if (!button) {
        return;
      }
      var row = button.closest("[data-row]");
      var remove = row ? row.querySelector('input[name$="-DELETE"]') : null;
      if (!remove) {
        return;
      }
      remove.checked = true;
      row.hidden = true;
      changed();
    });
  });
})();
