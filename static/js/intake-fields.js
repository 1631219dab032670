/* Fields by what was chosen, on the intake's rows (the server checks the same rules):
   - 事故の内容 offers only the contents that fit the kind of item chosen;
   - the payee (振込先) shows only for a transfer (a hidden payee is not sent);
   - hiragana typed into a kana field turns into katakana as it is typed;
   - amounts show thousands separators as they are typed (the server takes them and stores
     whole yen). */
(function () {
  "use strict";

  function rowOf(element) {
    return element.closest("[data-row]") || element.form || document;
  }

  function filterStates(kindSelect) {
    var state = rowOf(kindSelect).querySelector("select[data-states-by-kind]");
    if (!state) {
      return;
    }
    var allowed = JSON.parse(state.dataset.statesByKind)[kindSelect.value];
    Array.prototype.forEach.call(state.options, function (option) {
      var fits = !allowed || option.value === "" || allowed.indexOf(option.value) >= 0;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    if (state.selectedOptions.length && state.selectedOptions[0].disabled) {
      state.value = allowed && allowed.length === 1 ? allowed[0] : "";
    } else if (!state.value && allowed && allowed.length === 1) {
      state.value = allowed[0];
    }
  }

  function showPayee(channelSelect) {
    var transfers = (channelSelect.dataset.transferChannels || "").split(" ");
    var isTransfer = transfers.indexOf(channelSelect.value) >= 0;
    rowOf(channelSelect).querySelectorAll("[data-transfer-only]").forEach(function (block) {
      block.hidden = !isTransfer;
      // A hidden field is not sent either: what was typed before the channel changed comes back
      // if it changes again, and the server (which refuses a payee on a withdrawal) never sees it.
      block.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !isTransfer;
      });
    });
  }

  function katakana(input) {
    var converted = input.value.replace(/[\u3041-\u3096\u309d\u309e]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) + 0x60);
    });
    if (converted !== input.value) {
      input.value = converted;
    }
  }

  // Digits grouped as text, not through Number: a long amount is never rounded on screen.
  function grouped(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function withSeparators(input) {
    var before = input.value;
    var digits = before.replace(/[,，\s]/g, "").replace(/[０-９]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    });
    if (!/^[0-9]+$/.test(digits)) {
      return; // not an amount yet: left as typed, the server says what is wrong
    }
    var after = grouped(digits);
    if (after === before) {
      return;
    }
    // The caret stays after the same digit it followed, counted from the right.
    var caret = input.selectionStart === null ? before.length : input.selectionStart;
    var digitsRight = before.slice(caret).replace(/[^0-9０-９]/g, "").length;
    input.value = after;
    if (document.activeElement === input) {
      var position = after.length;
      for (var seen = 0; position > 0 && seen < digitsRight; position -= 1) {
        if (/[0-9]/.test(after.charAt(position - 1))) {
          seen += 1;
        }
      }
      input.setSelectionRange(position, position);
    }
  }

  function setUp(root) {
    root.querySelectorAll("select[name$='-kind']").forEach(filterStates);
    root.querySelectorAll("select[data-transfer-channels]").forEach(showPayee);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[name$='-kind']")) {
      filterStates(target);
    } else if (target.matches("select[data-transfer-channels]")) {
      showPayee(target);
    } else if (target.matches("input[data-yen]")) {
      withSeparators(target);
    }
  });
  // Backspace just after a separator deletes the digit before it (deleting the comma alone
  // would bring it straight back, and the key would seem dead).
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (
      event.key !== "Backspace" ||
      event.isComposing ||
      !field.matches("input[data-yen]") ||
      field.selectionStart !== field.selectionEnd
    ) {
      return;
    }
    var caret = field.selectionStart;
    if (caret > 0 && /[,，]/.test(field.value.charAt(caret - 1))) {
      field.setSelectionRange(caret - 1, caret - 1);
    }
  });
  document.addEventListener("input", function (event) {
    // Not while an input method is composing: the conversion happens when the word is committed.
    if (event.isComposing) {
      return;
    }
    if (event.target.matches("input[data-kana]")) {
      katakana(event.target);
    } else if (event.target.matches("input[data-yen]")) {
      withSeparators(event.target);
    }
  });
  document.addEventListener("compositionend", function (event) {
    if (event.target.matches("input[data-kana]")) {
      katakana(event.target);
    } else if (event.target.matches("input[data-yen]")) {
      withSeparators(event.target);
    }
  });
  // Rows added on the page (intake-rows.js) are set up as they come.
  document.addEventListener("intake:row-added", function (event) {
    setUp(event.target);
  });
  setUp(document);
})();
