/*
 * Accessibility repairs for Dash 4's core components, applied as they render.
 *
 * axe-core (run by the browser tests) finds these in the components themselves:
 * - RadioItems and Checklist render a role="listbox" of role="option" labels that
 *   contain native inputs (nested interactive controls). The native inputs inside
 *   labels are accessible on their own, so the ARIA roles are removed.
 * - Dropdown takes keyboard focus on an aria-hidden input, so a screen reader hears
 *   nothing. That input is made a named combobox instead.
 * - Upload's file input has no name: it is given the upload area's text.
 */
(function () {
  "use strict";

  function repairOptionLists(root) {
    root.querySelectorAll(".dash-options-list[role], .dash-options-list-option[role]").forEach(function (el) {
      el.removeAttribute("role");
      el.removeAttribute("aria-selected");
    });
    root.querySelectorAll(".dash-options-list-option[aria-selected]").forEach(function (el) {
      el.removeAttribute("aria-selected");
    });
  }

  function repairDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var target = wrapper.querySelector(".dash-dropdown-focus-target");
      var button = wrapper.querySelector("button.dash-dropdown");
      if (!target || !button || !button.id) { return; }
      var label = document.querySelector('label[for="' + button.id + '"]');
      if (label && !label.id) { label.id = button.id + "-label"; }
      if (target.getAttribute("aria-hidden") === "true") { target.removeAttribute("aria-hidden"); }
      if (target.getAttribute("role") !== "combobox") { target.setAttribute("role", "combobox"); }
      var names = (label ? label.id + " " : "") + button.id + "-value";
      if (target.getAttribute("aria-labelledby") !== names) { target.setAttribute("aria-labelledby", names); }
      // The button is out of the tab order; named by its own visible text it cannot mismatch it.
      if (button.hasAttribute("aria-labelledby")) { button.removeAttribute("aria-labelledby"); }
      var expanded = button.getAttribute("aria-expanded") || "false";
      if (target.getAttribute("aria-expanded") !== expanded) { target.setAttribute("aria-expanded", expanded); }
    });
  }

  function repairUploads(root) {
    root.querySelectorAll(".upload-area input[type=file]").forEach(function (input) {
      if (!input.getAttribute("aria-label")) {
        var area = input.closest(".upload-area");
        input.setAttribute("aria-label", area ? area.textContent.trim() : "Choose a file");
      }
    });
  }

  var scheduled = false;
  function repair() {
    scheduled = false;
    repairOptionLists(document);
    repairDropdowns(document);
    repairUploads(document);
  }

  new MutationObserver(function () {
    if (!scheduled) { scheduled = true; window.requestAnimationFrame(repair); }
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["role", "aria-selected", "aria-hidden", "aria-expanded", "aria-labelledby"]
  });
  document.addEventListener("DOMContentLoaded", repair);
})();
