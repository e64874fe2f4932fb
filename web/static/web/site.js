// What the pages once did in inline handlers, which the Content-Security-Policy no longer runs: each is asked
// for by a data- attribute, so templates stay free of script. Without this file the forms still post.
(function () {
  "use strict";

  // <form data-confirm="Remove …?">: ask first, and send nothing unless the person agrees.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // <select data-submit-on-change>: the language switch posts its form as soon as a language is chosen.
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control instanceof HTMLSelectElement && control.hasAttribute("data-submit-on-change") && control.form) {
      control.form.submit();
    }
  });

  // <input data-select-on-focus>: the new API key is selected whole, ready to copy.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-select-on-focus")) {
      input.select();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    // <button data-copy-from="id">: put that field's value on the clipboard.
    var source = button.hasAttribute("data-copy-from") ? document.getElementById(button.getAttribute("data-copy-from")) : null;
    if (source) {
      navigator.clipboard.writeText(source.value);
    }
    // <button data-fill="id" data-fill-value="small">: "use this band" sets the size band field.
    var target = button.hasAttribute("data-fill") ? document.getElementById(button.getAttribute("data-fill")) : null;
    if (target) {
      target.value = button.getAttribute("data-fill-value");
    }
  });
})();
