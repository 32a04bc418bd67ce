/* Hygie awareness: the landing page's real-browser confirmation (docs/awareness-results.md).
 * A click on a simulation link counts as human only when this script ran in a browser AND a
 * person interacted with the page (pointer, keyboard, touch, scroll): mail scanners fetch links
 * without running scripts, and sandboxes that run them rarely produce trusted input events.
 * It sends no page content and nothing typed: only the signed proof the page was served with. */
(function () {
  "use strict";
  var body = document.body;
  var url = body && body.getAttribute("data-awareness-confirm");
  var proof = body && body.getAttribute("data-awareness-proof");
  if (!url || !proof) {
    return;
  }
  var names = ["pointermove", "pointerdown", "keydown", "touchstart", "wheel", "scroll"];
  var sent = false;
  function confirmClick(event) {
    if (sent || (event && event.isTrusted === false)) {
      return;
    }
    sent = true;
    names.forEach(function (name) {
      window.removeEventListener(name, confirmClick, true);
    });
    var data = new URLSearchParams();
    data.set("proof", proof);
    try {
      window.fetch(url, { method: "POST", body: data, credentials: "omit", keepalive: true,
                          cache: "no-store", referrerPolicy: "no-referrer" })
        .catch(function () {});
    } catch (error) {
      /* an old browser without fetch: the click stays unconfirmed */
    }
  }
  names.forEach(function (name) {
    window.addEventListener(name, confirmClick, { capture: true, passive: true });
  });
})();
