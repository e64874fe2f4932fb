// The public report check: the chosen file's SHA-256 is computed here, in the browser, and compared with the
// issued one (data-sha256). Nothing is uploaded.
(function () {
  "use strict";

  var input = document.getElementById("verify-file");
  if (!input) return;
  var outcome = document.getElementById("verify-outcome");

  function show(name, computed) {
    outcome.querySelectorAll("[data-outcome]").forEach(function (element) {
      element.hidden = element.getAttribute("data-outcome") !== name;
    });
    var shown = outcome.querySelector("[data-computed]");
    if (shown) shown.textContent = computed || "";
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (byte) {
      return byte.toString(16).padStart(2, "0");
    }).join("");
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) { show(null); return; }
    if (!window.crypto || !window.crypto.subtle) { show("unsupported"); return; }
    file.arrayBuffer()
      .then(function (bytes) { return window.crypto.subtle.digest("SHA-256", bytes); })
      .then(function (digest) {
        var computed = hex(digest);
        show(computed === input.getAttribute("data-sha256") ? "match" : "mismatch", computed);
      })
      .catch(function () { show("unsupported"); });
  });
})();
