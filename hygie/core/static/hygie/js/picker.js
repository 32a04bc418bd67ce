/* Searchable pickers (hygie.core.widgets.SearchableSelect[Multiple]).

   A <select data-picker="/pickers/alerts/"> stays the form's control: without JavaScript it is a
   plain select. With it, a combobox (WAI-ARIA 1.2 pattern: a text input, a listbox, the active
   option announced through aria-activedescendant) searches on the server as the user types;
   picking an option selects it in the hidden select, so the form posts the same values.
   Keys: ↓/↑ move, Enter picks, Escape closes; chosen values of a multiple picker are listed
   with a remove button each. No inline script (CSP script-src 'self'). */
(function () {
  "use strict";

  var counter = 0;

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function enhance(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    counter += 1;
    var id = "picker-" + counter;
    var multiple = select.multiple;
    var wrap = element("div", { "class": "picker" });
    var input = element("input", {
      type: "text", id: id + "-input", role: "combobox", autocomplete: "off",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-list",
      placeholder: select.dataset.pickerPlaceholder || ""
    });
    var list = element("ul", { id: id + "-list", role: "listbox", "class": "picker__list", hidden: "" });
    var chosen = element("ul", { "class": "picker__chosen", "aria-live": "polite" });
    var status = element("span", { "class": "visually-hidden", role: "status" });
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    if (label) {
      label.setAttribute("for", input.id);
      label.id = label.id || id + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    if (select.required) {
      // A hidden required control cannot take the browser's "fill this in" focus; the input
      // says it instead, and the server checks it as always.
      select.required = false;
      input.setAttribute("aria-required", "true");
    }
    select.hidden = true;
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(select);
    if (multiple) { wrap.appendChild(chosen); }
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);

    var results = [];
    var active = -1;
    var timer = null;
    var request = 0;

    function showChosen() {
      if (!multiple) {
        var current = select.options[select.selectedIndex];
        input.value = current && current.value ? current.text : "";
        return;
      }
      chosen.textContent = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected) { return; }
        var item = element("li", {}, option.text + " ");
        var remove = element("button", {
          type: "button", "class": "btn-link",
          "aria-label": (select.dataset.pickerRemove || "Remove") + " " + option.text
        }, "×");
        remove.addEventListener("click", function () {
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          showChosen();
          input.focus();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      Array.prototype.forEach.call(items, function (item, position) {
        item.setAttribute("aria-selected", position === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      var result = results[index];
      if (!result) { return; }
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === result.value; });
      if (!option) {
        option = new Option(result.label, result.value);
        select.add(option);
      }
      if (!multiple) {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = false; });
      }
      option.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      close();
      if (multiple) { input.value = ""; }
      showChosen();
    }

    function render() {
      list.textContent = "";
      results.forEach(function (result, index) {
        var item = element("li", { id: id + "-option-" + index, role: "option", "aria-selected": "false" }, result.label);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(index); });
        list.appendChild(item);
      });
      if (!results.length) {
        list.appendChild(element("li", { "class": "picker__empty" }, select.dataset.pickerEmpty || ""));
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = (select.dataset.pickerCount || "%(count)s").replace("%(count)s", results.length);
      active = -1;
    }

    function search() {
      var mine = ++request;
      var base = select.dataset.picker;
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== request) { return; }  // an older answer arriving late
          results = data.results || [];
          render();
        })
        .catch(function () { /* offline: the user can still submit what is chosen */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("focus", function () { if (!results.length) { search(); } });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); } else { highlight(active + 1); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (!multiple && !input.value) {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = o.value === ""; });
      }
      if (!multiple) { showChosen(); }
    });
    showChosen();
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-picker]"), enhance);
  }

  if (document.readyState !== "loading") { enhanceAll(); } else {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  }
  // Forms loaded later by htmx (a side panel, a section) get their pickers too.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
}());
