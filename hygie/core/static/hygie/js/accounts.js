// Copy buttons for secrets shown once (new API token, TOTP key, recovery codes).
// The buttons ship hidden and appear only where the clipboard API works (HTTPS or localhost).
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = target.tagName === "UL"
        ? Array.prototype.map.call(target.querySelectorAll("li"), function (item) {
            return item.textContent.trim();
          }).join("\n")
        : target.textContent.trim();
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = button.getAttribute("data-copied-label") || "✓";
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
