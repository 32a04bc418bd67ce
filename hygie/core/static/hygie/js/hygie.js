/* Hygie shell behaviours. No inline scripts anywhere (CSP script-src 'self'): every behaviour
   is declared with a data- attribute and wired here. Pages work without JavaScript. */
(function () {
  "use strict";

  function onReady(callback) {
    if (document.readyState !== "loading") { callback(); } else {
      document.addEventListener("DOMContentLoaded", callback);
    }
  }

  /* Collapsible navigation on narrow screens. */
  function setUpNavToggle() {
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) { return; }
    document.documentElement.classList.add("js");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("is-open", !open);
      if (!open) {
        var first = nav.querySelector("a");
        if (first) { first.focus(); }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        nav.classList.remove("is-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  /* <select data-autosubmit> submits its form on change; the fallback button is then hidden. */
  function setUpAutosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.autosubmitReady) { return; }
      select.dataset.autosubmitReady = "1";
      var fallback = select.form && select.form.querySelector("[data-autosubmit-fallback]");
      if (fallback) { fallback.classList.add("visually-hidden"); }
      select.addEventListener("change", function () {
        if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
      });
    });
  }

  /* Forms and buttons with data-confirm="…" ask before doing something destructive. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* Closing the account menu with Escape returns focus to its summary. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });

  onReady(function () {
    setUpNavToggle();
    setUpAutosubmit(document);
  });

  /* Content swapped in by htmx gets the same behaviours. */
  document.addEventListener("htmx:afterSwap", function (event) {
    setUpAutosubmit(event.target);
  });
})();
