/* Tabs and side panels, declared with data- attributes (no inline script: CSP script-src 'self').

   <div data-tabs>
     <nav><ul data-tablist><li><a href="#panel-a" data-tab>A</a></li>…</ul></nav>
     <div id="panel-a">…</div> …
   </div>

   Without JavaScript the links jump to sections that are all shown. With it, the links become
   WAI-ARIA tabs (←/→/Home/End move between them, the panel shows alone), the address keeps the
   open tab (#panel-a) so a reload or a shared link opens it again, and a link to anything inside
   a panel (#tasks, #obligation-12) opens that panel first.

   [data-side-panel] is a region filled by htmx (an edit panel); a [data-panel-close] button
   inside empties it and gives the focus back to the control that opened it. */
(function () {
  "use strict";

  function setUp(root) {
    var list = root.querySelector("[data-tablist]");
    if (!list || root.dataset.tabsReady) { return; }
    root.dataset.tabsReady = "1";
    list.setAttribute("role", "tablist");
    var tabs = [];
    var panels = [];
    Array.prototype.forEach.call(list.querySelectorAll("[data-tab]"), function (tab) {
      var panel = document.getElementById(tab.getAttribute("href").slice(1));
      if (!panel) { return; }
      if (tab.parentElement !== list) { tab.parentElement.setAttribute("role", "presentation"); }
      tab.id = tab.id || panel.id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      tabs.push(tab);
      panels.push(panel);
    });
    if (!tabs.length) { return; }
    root.classList.add("tabs--ready");

    function select(index, focus, remember) {
      tabs.forEach(function (tab, position) {
        var on = position === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.setAttribute("tabindex", on ? "0" : "-1");
        panels[position].hidden = !on;
      });
      if (focus) { tabs[index].focus(); }
      if (remember) { history.replaceState(null, "", "#" + panels[index].id); }
    }

    function openFor(hash) {
      var target = hash && hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
      var index = target ? panels.findIndex(function (panel) { return panel.contains(target); }) : -1;
      if (index < 0) { return false; }
      select(index, false, false);
      if (target !== panels[index]) { target.scrollIntoView(); }
      return true;
    }

    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(index, false, true);
      });
      tab.addEventListener("keydown", function (event) {
        var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) { return; }
        event.preventDefault();
        select((next + tabs.length) % tabs.length, true, true);
      });
    });
    window.addEventListener("hashchange", function () { openFor(window.location.hash); });
    if (!openFor(window.location.hash)) { select(0, false, false); }
  }

  function closePanel(button) {
    var panel = button.closest("[data-side-panel]");
    if (!panel) { return; }
    var opener = panel.dataset.opener && document.getElementById(panel.dataset.opener);
    panel.textContent = "";
    if (opener) { opener.focus(); }
  }

  var lastOpener = "";  // the control that opened the last side panel (its id)

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-tabs]"), setUp);
    document.addEventListener("click", function (event) {
      var close = event.target.closest && event.target.closest("[data-panel-close]");
      if (close) {
        event.preventDefault();
        closePanel(close);
        return;
      }
      // Remember which control opened a side panel, to give the focus back on closing.
      var opener = event.target.closest && event.target.closest("[data-opens-panel]");
      if (opener) {
        var panel = document.getElementById(opener.dataset.opensPanel);
        if (panel && opener.id) { panel.dataset.opener = opener.id; lastOpener = opener.id; }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var inside = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("[data-side-panel]");
      var close = inside && inside.querySelector("[data-panel-close]");
      if (close) { closePanel(close); }
    });
    // A panel loaded by htmx takes the focus (its heading), so keyboard users land in it; when
    // its form's answer replaces the whole list (closing the panel), the focus goes back to the
    // control that opened it rather than to the top of the page.
    document.addEventListener("htmx:afterSwap", function (event) {
      var panel = event.detail && event.detail.target;
      if (panel && panel.hasAttribute && panel.hasAttribute("data-side-panel")) {
        var heading = panel.querySelector("h2, h3");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        return;
      }
      var lost = !document.activeElement || document.activeElement === document.body;
      var opener = lastOpener && document.getElementById(lastOpener);
      if (lost && opener) { opener.focus(); lastOpener = ""; }
    });
  }

  if (document.readyState !== "loading") { init(); } else {
    document.addEventListener("DOMContentLoaded", init);
  }
}());
