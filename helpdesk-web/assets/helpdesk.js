// The helpdesk's pages work without this file; it adds what needs a script:
// unsaved-text guards, the category filter, FAQ suggestions while typing a subject,
// and screenshots pasted into a message. No inline script: loaded with `defer`.
(function () {
  "use strict";

  // "Leave the page with unsaved text?" on forms marked data-guard.
  function guardUnsavedText() {
    var dirty = false;
    document.querySelectorAll("form[data-guard]").forEach(function (form) {
      form.addEventListener("input", function () { dirty = true; });
      form.addEventListener("submit", function () { dirty = false; });
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // Filters the category tree as the user types in input[data-tree-filter]: an item
  // stays when it or one of its sub-items matches, or when the category it sits under
  // matches (so the sub-categories of a matching category can still be chosen).
  function filterCategoryTree() {
    document.querySelectorAll("input[data-tree-filter]").forEach(function (input) {
      var tree = document.getElementById(input.getAttribute("data-tree-filter"));
      if (!tree) { return; }
      function parentItem(item) {
        var up = item.parentElement && item.parentElement.closest("li");
        return up && tree.contains(up) ? up : null;
      }
      function ownLabelMatches(item, words) {
        var label = item.querySelector(":scope > label");
        return !!label && label.textContent.toLowerCase().indexOf(words) !== -1;
      }
      input.addEventListener("input", function () {
        var words = input.value.trim().toLowerCase();
        tree.querySelectorAll("li").forEach(function (item) {
          var shown = words === "" || item.textContent.toLowerCase().indexOf(words) !== -1;
          for (var up = parentItem(item); !shown && up; up = parentItem(up)) {
            shown = ownLabelMatches(up, words);
          }
          item.classList.toggle("hd-hidden", !shown);
        });
      });
    });
  }

  // FAQ articles for the subject (and category) being typed, from the page's own
  // suggestion route (data-suggest on the subject field).
  function suggestArticles() {
    var subject = document.querySelector("input[data-suggest]");
    if (!subject) { return; }
    var target = document.getElementById(subject.getAttribute("data-suggest-target"));
    var timer = null;
    function refresh() {
      var url = new URL(subject.getAttribute("data-suggest"), window.location.href);
      url.searchParams.set("subject", subject.value);
      var category = document.querySelector("input[name=category]:checked");
      if (category && category.value) { url.searchParams.set("category", category.value); }
      fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (!target) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          target.replaceChildren.apply(target, Array.from(doc.body.childNodes));
        })
        .catch(function () {});
    }
    function later() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(refresh, 300);
    }
    subject.addEventListener("input", later);
    document.querySelectorAll("input[name=category]").forEach(function (c) {
      c.addEventListener("change", later);
    });
  }

  // A screenshot pasted into a textarea[data-paste-files] becomes a file of the form's
  // file input (named by data-paste-files), with a preview.
  function pasteScreenshots() {
    document.querySelectorAll("textarea[data-paste-files]").forEach(function (area) {
      var input = area.form && area.form.querySelector("input[type=file][name='" + area.getAttribute("data-paste-files") + "']");
      if (!input || typeof DataTransfer === "undefined") { return; }
      area.addEventListener("paste", function (event) {
        var items = (event.clipboardData && event.clipboardData.files) || [];
        if (items.length === 0) { return; }
        var transfer = new DataTransfer();
        Array.from(input.files).forEach(function (f) { transfer.items.add(f); });
        Array.from(items).forEach(function (file, i) {
          if (file.type.indexOf("image/") !== 0) { return; }
          var name = "screenshot-" + Date.now() + "-" + i + ".png";
          transfer.items.add(new File([file], name, { type: file.type }));
          var preview = document.createElement("img");
          preview.alt = name;
          preview.className = "hd-paste-preview";
          preview.src = URL.createObjectURL(file);
          area.insertAdjacentElement("afterend", preview);
        });
        input.files = transfer.files;
        event.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    guardUnsavedText();
    filterCategoryTree();
    suggestArticles();
    pasteScreenshots();
  });
})();

// Dates: the server prints each <time datetime> in UTC, with "UTC" written after it;
// this rewrites it in the browser's time zone, in the page's language (fr:
// 30/11/2026 14:05, en: 2026-11-30 14:05), and keeps the UTC text as its title.
(function () {
  "use strict";

  function localTimes() {
    if (typeof Intl === "undefined" || !Intl.DateTimeFormat) { return; }
    var lang = (document.documentElement.lang || "fr").toLowerCase().indexOf("en") === 0 ? "en" : "fr";
    var format = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    document.querySelectorAll("time[datetime]").forEach(function (time) {
      var at = new Date(time.getAttribute("datetime"));
      if (isNaN(at.getTime())) { return; }
      var parts = {};
      format.formatToParts(at).forEach(function (p) { parts[p.type] = p.value; });
      var clock = parts.hour + ":" + parts.minute;
      var text = lang === "en"
        ? parts.year + "-" + parts.month + "-" + parts.day + " " + clock
        : parts.day + "/" + parts.month + "/" + parts.year + " " + clock;
      if (!time.title) { time.title = time.textContent; }
      time.textContent = text;
    });
  }

  document.addEventListener("DOMContentLoaded", localTimes);
})();
