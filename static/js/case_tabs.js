// The case page's tabs. Without script every tab is an anchor on the page (届出内容・措置・取引) or a
// page of its own (補償, 期限・書類, 経過, 変更履歴). With script one section is shown at a time; the
// tabs with a data-tab-src are fetched the first time they are opened (their pages' bare fragment,
// ?partial=1, forms and their csrf token included) and the history's pages are turned in place.
(function () {
  "use strict";
  var panes = document.querySelector("[data-case-panes]");
  if (!panes) { return; }
  var links = document.querySelectorAll(".case-tabs a[data-tab]");

  function paneOf(name) { return panes.querySelector("[data-tab-pane='" + name + "']"); }

  function load(pane, url) {
    pane.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        pane.innerHTML = html;
        pane.dataset.loaded = "1";
      }).catch(function () {
        // The link in the pane still opens the tab's own page.
      }).finally(function () { pane.removeAttribute("aria-busy"); });
  }

  function show(name, remember) {
    var pane = paneOf(name);
    if (!pane) { return false; }
    panes.querySelectorAll("[data-tab-pane]").forEach(function (other) {
      other.hidden = other !== pane;
    });
    links.forEach(function (link) {
      var active = link.dataset.tab === name;
      link.classList.toggle("active", active);
      if (active) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
    });
    if (remember) { history.replaceState(null, "", "#tab-" + name); }
    if (pane.dataset.tabSrc && !pane.dataset.loaded) { return load(pane, pane.dataset.tabSrc); }
    return Promise.resolve();
  }

  // The pane holding an element of the page, or the one whose fragment, once loaded, will hold it
  // (data-tab-anchors: #attachments in the address opens 期限・書類).
  function holderOf(id) {
    var target = document.getElementById(id);
    var holder = target && target.closest("[data-tab-pane]");
    if (holder) { return holder; }
    return Array.prototype.find.call(panes.querySelectorAll("[data-tab-anchors]"), function (pane) {
      return pane.dataset.tabAnchors.split(" ").indexOf(id) !== -1;
    }) || null;
  }

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (show(link.dataset.tab, true)) { event.preventDefault(); }
    });
  });

  // The history's pages turn inside its tab.
  panes.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-tab-page]");
    if (!link) { return; }
    var pane = link.closest("[data-tab-pane]");
    event.preventDefault();
    var url = new URL(link.href);
    url.searchParams.set("partial", "1");
    load(pane, url.toString());
  });

  // The tab named by the address (#tab-…), or the one holding its target (#compensation,
  // #attachments…), or the one the server chose (a form sent back with its errors).
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("tab-") === 0 && show(id.slice(4), false)) { return; }
    var holder = id && holderOf(id);
    if (holder) {
      show(holder.dataset.tabPane, false).then(function () {
        var target = document.getElementById(id);
        if (target) { target.scrollIntoView(); }
      });
      return;
    }
    show(panes.dataset.activeTab || "report", false);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
