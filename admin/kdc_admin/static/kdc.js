/*
 * The Content-Security-Policy blocks inline event handlers, and a few of Flask-Admin's
 * templates still use them (onclick="…"). Wire the same behaviour up from here.
 */
(function () {
  "use strict";

  function argument(handler, pattern) {
    var match = pattern.exec(handler || "");
    return match ? match[1] : null;
  }

  function wire(root) {
    root.querySelectorAll("[onclick]").forEach(function (el) {
      if (el.dataset.kdcWired) { return; }
      var handler = el.getAttribute("onclick");
      var name;
      if ((name = argument(handler, /modelActions\.execute\('([^']*)'\)/))) {
        el.addEventListener("click", function (event) {
          event.preventDefault();
          window.modelActions.execute(name);
        });
      } else if ((name = argument(handler, /safeConfirm\('((?:[^'\\]|\\.)*)'\)/))) {
        var message = name.replace(/\\'/g, "'");
        el.addEventListener("click", function (event) {
          if (!window.confirm(message)) { event.preventDefault(); }
        });
      } else if ((name = argument(handler, /addInlineField\(this, '([^']*)'\)/))) {
        el.addEventListener("click", function (event) {
          event.preventDefault();
          window.faForm.addInlineField(el, name);
        });
      } else if (/^\s*return false;?\s*$/.test(handler)) {
        el.addEventListener("click", function (event) { event.preventDefault(); });
      } else {
        return;
      }
      el.dataset.kdcWired = "1";
    });
  }

  function autoSubmit() {
    var select = document.querySelector(".kdc-orgchart-form select");
    if (select) {
      select.addEventListener("change", function () {
        var q = document.getElementById("q");
        if (q) { q.value = ""; }
        select.form.submit();
      });
    }
  }

  /*
   * Select2 (Flask-Admin's multiple-choice fields) draws each chosen item with an empty
   * "remove" link; give every such link a name that says what it removes, now and whenever
   * an item is added.
   */
  function nameRemoveLinks(root) {
    root.querySelectorAll(".select2-search-choice-close").forEach(function (link) {
      var choice = link.parentElement ? link.parentElement.textContent.trim() : "";
      var label = "Remove " + (choice || "this choice");
      if (link.getAttribute("aria-label") !== label) {
        link.setAttribute("aria-label", label);
        link.setAttribute("title", label);
      }
    });
  }

  function watchSelect2() {
    nameRemoveLinks(document);
    if (!document.querySelector(".select2-container, [data-role='select2']")) { return; }
    new MutationObserver(function () { nameRemoveLinks(document); })
      .observe(document.body, { childList: true, subtree: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    autoSubmit();
  });
  // After Flask-Admin's own scripts have turned the selects into Select2 widgets.
  window.addEventListener("load", watchSelect2);
})();
