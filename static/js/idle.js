/* Idle logout (自動ログアウト): a warning a minute before the server's timeout with
   「ログインを継続」, and the draft on screen saved first so nothing typed is lost.

   The server ends the session by itself (accounts.middleware.IdleTimeoutMiddleware); this script
   only tells the member of staff in time. Typing or clicking counts as using the terminal: it is
   reported to the server at most every minute or so. */
(function () {
  "use strict";

  var body = document.body;
  var timeout = Number(body.dataset.idleTimeout || 0);
  if (!timeout) {
    return;
  }
  var warning = Number(body.dataset.idleWarning || 60);
  var keepaliveUrl = body.dataset.keepaliveUrl;
  var statusUrl = body.dataset.statusUrl;
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.content : "";
  var modalElement = document.getElementById("idle-warning");
  var countdown = modalElement ? modalElement.querySelector(".idle-countdown") : null;
  var modal = null;
  if (modalElement && window.bootstrap) {
    modal = window.bootstrap.Modal.getOrCreateInstance(modalElement);
  }
  var draftForm = document.querySelector("form[data-autosave-url]");
  var pingEvery = Math.max(1, Math.min(60, (timeout - warning) / 2)) * 1000;
  var margin = 1500; // the page goes to the server only once the server has surely timed out

  var deadline = Date.now() + timeout * 1000;
  var lastPing = Date.now();
  var interacted = false;
  var warned = false;
  var checking = false;
  var finished = false;
  var saving = Promise.resolve();
  var loginUrl = null; // set once the server has said the session is over

  function request(method, url, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options);
  }

  function extendTo(seconds) {
    deadline = Date.now() + Math.max(0, seconds) * 1000;
  }

  function hideWarning() {
    warned = false;
    if (modal) {
      modal.hide();
    }
  }

  function keepalive() {
    lastPing = Date.now();
    interacted = false;
    return request("POST", keepaliveUrl, {})
      .then(function (response) {
        if (response.status === 401) {
          return response.json().then(function (data) {
            noteLoggedOut(data);
            leave();
            return null;
          });
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.ok) {
          extendTo(data.remaining);
          hideWarning();
        }
      })
      .catch(function () {});
  }

  function autosave() {
    if (!draftForm) {
      return saving;
    }
    var fields = {};
    new FormData(draftForm).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") {
        return;
      }
      (fields[name] = fields[name] || []).push(value);
    });
    saving = request("POST", draftForm.dataset.autosaveUrl, { fields: fields })
      .then(function (response) {
        if (response.status === 401) {
          return response.json().then(noteLoggedOut);
        }
        return null;
      })
      .catch(function () {});
    return saving;
  }

  function noteLoggedOut(data) {
    if (data && data.login_url) {
      loginUrl = data.login_url;
    }
  }

  function leave() {
    if (finished) {
      return;
    }
    finished = true;
    var go = function () {
      if (loginUrl) {
        // The session already ended (the last save told us): the login page, then back here.
        var back = window.location.pathname + window.location.search;
        window.location.assign(loginUrl + "?timeout=1&next=" + encodeURIComponent(back));
      } else {
        // The server sees the timeout, ends the session and shows the login page.
        window.location.assign(window.location.href);
      }
    };
    saving.then(go, go);
  }

  function showWarning() {
    warned = true;
    autosave();
    if (modal) {
      modal.show();
    }
  }

  function checkThenWarn() {
    // Another tab of the same session may have been used: ask the server first.
    checking = true;
    request("GET", statusUrl)
      .then(function (response) {
        if (response.status === 401) {
          return response.json().then(function (data) {
            noteLoggedOut(data);
            autosave();
            leave();
            return null;
          });
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.ok && data.remaining > warning + 2) {
          extendTo(data.remaining);
        } else if (!finished) {
          showWarning();
        }
      })
      .catch(function () {
        showWarning();
      })
      .then(function () {
        checking = false;
      });
  }

  function tick() {
    if (finished) {
      return;
    }
    var now = Date.now();
    var left = deadline - now;
    if (!warned && interacted && now - lastPing >= pingEvery) {
      keepalive();
      return;
    }
    if (left <= 0) {
      // Save once more (a late save is still kept by the server), then go to the login page.
      deadline = Infinity;
      autosave();
      window.setTimeout(leave, margin);
      return;
    }
    if (!warned && !checking && left <= warning * 1000) {
      checkThenWarn();
    }
    if (warned && countdown && isFinite(left)) {
      countdown.textContent = String(Math.max(0, Math.ceil(left / 1000)));
    }
  }

  ["keydown", "pointerdown", "input", "wheel", "touchstart"].forEach(function (type) {
    document.addEventListener(
      type,
      function () {
        if (!warned) {
          interacted = true;
        }
      },
      { passive: true, capture: true }
    );
  });

  var continueButton = modalElement ? modalElement.querySelector("[data-idle-continue]") : null;
  if (continueButton) {
    continueButton.addEventListener("click", function () {
      keepalive();
    });
  }

  window.setInterval(tick, 1000);
})();
