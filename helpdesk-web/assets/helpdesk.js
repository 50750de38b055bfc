// The helpdesk's pages work without this file; it adds what needs a script:
// unsaved-text guards, the category filter, FAQ suggestions while typing a subject,
// screenshots pasted into a message, and the rich-text editor over the message fields.
// No inline script: loaded with `defer`.
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

  // A screenshot pasted into a field with data-paste-files becomes a file of the form's
  // file input (named by data-paste-files), with a preview after `after`. Returns
  // whether the paste held files (then the paste itself is taken).
  function pastedFiles(area, after, event) {
    var input = area.form && area.form.querySelector("input[type=file][name='" + area.getAttribute("data-paste-files") + "']");
    var items = (event.clipboardData && event.clipboardData.files) || [];
    if (!input || items.length === 0 || typeof DataTransfer === "undefined") { return false; }
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
      after.insertAdjacentElement("afterend", preview);
      after = preview;
    });
    input.files = transfer.files;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    event.preventDefault();
    return true;
  }

  // Screenshots pasted into a plain textarea (one the editor did not take over).
  function pasteScreenshots() {
    document.querySelectorAll("textarea[data-paste-files]").forEach(function (area) {
      if (area.hidden) { return; }
      area.addEventListener("paste", function (event) { pastedFiles(area, area, event); });
    });
  }

  // The rich-text editor over textarea[data-rich]: the HTML it sends keeps only what
  // the toolbar makes (paragraphs, bold, italic, underline, lists, links), whatever was
  // typed or pasted; the server sanitises it again, as any request.
  var BLOCKS = { P: "p", DIV: "p", UL: "ul", OL: "ol", LI: "li", BLOCKQUOTE: "blockquote",
    H1: "p", H2: "p", H3: "p", H4: "p", H5: "p", H6: "p", PRE: "p", TABLE: "p", TR: "p" };
  var INLINES = { STRONG: "strong", B: "strong", EM: "em", I: "em", U: "u", A: "a", BR: "br" };
  var SKIPPED = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, NOSCRIPT: 1, IFRAME: 1, OBJECT: 1, SVG: 1, IMG: 1, HEAD: 1, TITLE: 1 };

  function escapeText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function safeHref(href) {
    try {
      var url = new URL(href, window.location.href);
      return /^(https?|mailto):$/.test(url.protocol) ? url.href : null;
    } catch (e) { return null; }
  }

  // The clean HTML of a node's children: allowed tags only, no attribute but a link's
  // address; inline runs at the top level are put in paragraphs.
  function cleanHtml(root, top) {
    var out = "";
    var run = "";
    function flush() {
      if (run.replace(/<br>/g, "").trim() !== "") { out += "<p>" + run + "</p>"; }
      run = "";
    }
    root.childNodes.forEach(function (node) {
      if (node.nodeType === 3) { run += escapeText(node.nodeValue); return; }
      if (node.nodeType !== 1 || SKIPPED[node.tagName.toUpperCase()]) { return; }
      var name = node.tagName.toUpperCase();
      var block = BLOCKS[name];
      var inline = INLINES[name];
      if (block) {
        if (top) { flush(); } else { out += run; run = ""; }
        out += "<" + block + ">" + cleanHtml(node, false) + "</" + block + ">";
      } else if (inline === "br") {
        run += "<br>";
      } else if (inline === "a") {
        var href = safeHref(node.getAttribute("href") || "");
        var words = cleanHtml(node, false);
        run += href ? "<a href=\"" + escapeText(href) + "\">" + words + "</a>" : words;
      } else if (inline) {
        run += "<" + inline + ">" + cleanHtml(node, false) + "</" + inline + ">";
      } else {
        run += cleanHtml(node, false);
      }
    });
    if (top) { flush(); } else { out += run; }
    return out;
  }

  // HTML from outside (the server's seed, a paste) as clean HTML, parsed in an inert
  // document: nothing in it runs or loads.
  function cleanForeign(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    return cleanHtml(doc.body, true);
  }

  // Typed text as paragraphs and line breaks (the seed of an editor without HTML).
  function textAsHtml(text) {
    return text.replace(/\r\n?/g, "\n").split(/\n\s*\n/).filter(function (p) {
      return p.trim() !== "";
    }).map(function (p) {
      return "<p>" + escapeText(p.trim()).replace(/\n/g, "<br>") + "</p>";
    }).join("");
  }

  function richEditors() {
    if (typeof document.execCommand !== "function") { return; }
    document.querySelectorAll("textarea[data-rich]").forEach(richEditor);
  }

  function richEditor(area) {
    var template = area.parentElement && area.parentElement.querySelector("template.hd-rich-toolbar");
    if (!area.form || !template || !area.id) { return; }
    var label = document.querySelector("label[for='" + area.id + "']");
    var wrap = document.createElement("div");
    wrap.className = "hd-rich-field";
    var tools = template.content.firstElementChild.cloneNode(true);
    var editor = document.createElement("div");
    editor.id = area.id + "-editor";
    editor.className = "hd-rich-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    if (label) {
      if (!label.id) { label.id = area.id + "-label"; }
      editor.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
    }
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (area.hasAttribute(name)) { editor.setAttribute(name, area.getAttribute(name)); }
    });
    if (area.required) { editor.setAttribute("aria-required", "true"); }
    // The field's hint for plain text says how to type formatting: say the editor's.
    var hint = area.getAttribute("data-rich-hint");
    var hintId = (area.getAttribute("aria-describedby") || "").split(" ")[0];
    var hintElement = hintId && document.getElementById(hintId);
    if (hint && hintElement && hintElement.classList.contains("hd-hint")) { hintElement.textContent = hint; }
    tools.setAttribute("aria-controls", editor.id);
    var seed = area.getAttribute("data-rich-html");
    editor.innerHTML = seed !== null ? cleanForeign(seed) : textAsHtml(area.value);
    wrap.appendChild(tools);
    wrap.appendChild(editor);
    area.insertAdjacentElement("afterend", wrap);
    area.hidden = true;
    area.required = false;
    area.setAttribute("aria-hidden", "true");
    area.tabIndex = -1;
    var format = document.createElement("input");
    format.type = "hidden";
    format.name = "format";
    format.value = "html";
    wrap.insertAdjacentElement("afterend", format);
    var initial = cleanHtml(editor, true);

    var buttons = Array.from(tools.querySelectorAll("button[data-command]"));
    function run(command) {
      editor.focus();
      if (command === "createLink") {
        var address = window.prompt(tools.querySelector("[data-command=createLink]").getAttribute("data-prompt") || "", "https://");
        var href = address && safeHref(address.trim());
        if (!href) { return; }
        if (window.getSelection().isCollapsed) {
          document.execCommand("insertHTML", false, "<a href=\"" + escapeText(href) + "\">" + escapeText(address.trim()) + "</a>");
        } else {
          document.execCommand("createLink", false, href);
        }
      } else {
        document.execCommand(command, false, null);
      }
      refresh();
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function refresh() {
      buttons.forEach(function (button) {
        var command = button.getAttribute("data-command");
        var on = false;
        if (command === "createLink") {
          var selection = window.getSelection();
          var node = selection && selection.anchorNode;
          var element = node && (node.nodeType === 1 ? node : node.parentElement);
          on = !!(element && editor.contains(element) && element.closest("a"));
        } else {
          try { on = document.queryCommandState(command); } catch (e) { on = false; }
        }
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    // One tab stop for the toolbar; arrows move between its buttons.
    buttons.forEach(function (button, i) {
      button.tabIndex = i === 0 ? 0 : -1;
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { run(button.getAttribute("data-command")); });
    });
    tools.addEventListener("keydown", function (event) {
      var at = buttons.indexOf(document.activeElement);
      if (at < 0) { return; }
      var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (to === undefined) { return; }
      to = (to + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1;
      buttons[to].tabIndex = 0;
      buttons[to].focus();
      event.preventDefault();
    });
    editor.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
      var command = { b: "bold", i: "italic", u: "underline" }[event.key.toLowerCase()];
      if (command) { event.preventDefault(); run(command); }
    });
    document.addEventListener("selectionchange", function () {
      if (document.activeElement === editor) { refresh(); }
    });
    editor.addEventListener("focus", function () {
      document.execCommand("defaultParagraphSeparator", false, "p");
      document.execCommand("styleWithCSS", false, false);
    });
    editor.addEventListener("paste", function (event) {
      if (area.hasAttribute("data-paste-files") && pastedFiles(area, wrap, event)) { return; }
      var data = event.clipboardData;
      if (!data) { return; }
      event.preventDefault();
      var html = data.getData("text/html");
      if (html) {
        document.execCommand("insertHTML", false, cleanForeign(html));
      } else {
        document.execCommand("insertText", false, data.getData("text/plain"));
      }
    });
    area.form.addEventListener("submit", function () {
      var html = cleanHtml(editor, true);
      // An edit form sends no description the user did not touch.
      area.disabled = html === initial && area.getAttribute("data-rich-unchanged") === "skip";
      area.value = html;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    guardUnsavedText();
    filterCategoryTree();
    suggestArticles();
    richEditors();
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
