// The few things in the questionnaire that htmx cannot do: exclusive options, "not applicable", and
// choosing the option suggested from the evidence. Everything works without this file too.
(function () {
  "use strict";

  // Capture phase: runs before htmx posts the question's form on the same change event.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    var group = box.closest("[data-exclusive-group]");
    if (group && box.checked) {
      group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
        if (other !== box && (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive"))) {
          other.checked = false;
        }
      });
    }
    if (box.hasAttribute("data-not-applicable") && box.form) {
      var values = box.form.querySelector("[data-value-fields]");
      if (values) values.hidden = box.checked;
    }
  }, true);

  // The button submits the suggested option itself; tick its radio so the page shows the choice.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-use-suggestion]") : null;
    if (!button || !button.form) return;
    button.form.querySelectorAll('input[name="choice"]').forEach(function (radio) {
      radio.checked = radio.value === button.getAttribute("data-use-suggestion");
    });
  });
})();
