/* The intake's step form (incidents/intake): nothing typed is lost by leaving the page.

   - A changed step warns before the page is left (beforeunload) unless it is being saved.
   - What is on screen is kept as typed through the intake's autosave endpoint (the one the idle
     logout uses, incidents.intake.autosave_views): a moment after typing stops, and when the
     page is hidden or left. Resuming the draft brings it back, marked as not saved yet.

   Without script the form works as before; the CSP allows this file (no inline script). */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) {
    return;
  }
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.content : "";
  var url = form.dataset.autosaveUrl;
  var PAUSE = 2000; // ms after the last keystroke before the step is kept
  var timer = null;
  var submitting = false;

  function snapshot() {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") {
        return;
      }
      (fields[name] = fields[name] || []).push(value);
    });
    return fields;
  }

  var initial = JSON.stringify(snapshot());
  var kept = initial;
  // A step restored from what was kept is unsaved from the start.
  var restored = document.querySelector("[data-testid=autosave-restored]") !== null;

  function changed() {
    return restored || JSON.stringify(snapshot()) !== initial;
  }

  function keep(leaving) {
    window.clearTimeout(timer);
    timer = null;
    if (submitting) {
      return;
    }
    var fields = snapshot();
    var text = JSON.stringify(fields);
    if (text === kept || text === initial) {
      return;
    }
    kept = text;
    try {
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!leaving, // survives the page being closed
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken,
        },
        body: JSON.stringify({ fields: fields }),
      }).catch(function () {});
    } catch (error) {
      /* a browser without keepalive: the idle autosave still keeps the step */
    }
  }

  function typed() {
    window.clearTimeout(timer);
    timer = window.setTimeout(keep, PAUSE);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
  document.addEventListener("submit", function () {
    // Saving the step (or discarding what was kept): no warning, and no late autosave
    // resurrecting what was just saved.
    submitting = true;
    window.clearTimeout(timer);
  });
  // Rows added or removed on the page (intake-rows.js) change the form too.
  form.addEventListener("intake:rows", typed);

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !changed()) {
      return undefined;
    }
    keep(true);
    event.preventDefault();
    event.returnValue = ""; // the browser shows its own "leave this page?" question
    return "";
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !submitting && changed()) {
      keep(true);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false; // back from the page cache: the form is live again
    }
  });
})();
