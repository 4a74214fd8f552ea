// News Q&A page behaviour that Gradio has no setting for (loaded in <head>):
// * light/dark switch remembered in localStorage ("qa-theme");
// * a click on a citation badge [n] brings its source card into view (the Chatbot's select
//   event switches the sources panel to that answer first);
// * the Chatbot's per-message copy button copies the plain text kept in the hidden #copy-texts
//   box (the question as typed; the answer with its [n] markers and a sources list), not the
//   message's escaped HTML.
(function () {
  "use strict";
  var KEY = "qa-theme";

  function applyTheme(theme) {
    if (theme === "dark") document.body.classList.add("dark");
    else if (theme === "light") document.body.classList.remove("dark");
  }
  window.qaToggleTheme = function () {
    var dark = !document.body.classList.contains("dark");
    applyTheme(dark ? "dark" : "light");
    try { localStorage.setItem(KEY, dark ? "dark" : "light"); } catch (e) { /* private mode */ }
    return dark ? "dark" : "light";
  };
  // Gradio sets the theme class when it mounts: apply the stored choice after it did.
  var tries = 0;
  var timer = setInterval(function () {
    tries += 1;
    if (document.querySelector("#app-title") || tries > 100) {
      clearInterval(timer);
      var stored = null;
      try { stored = localStorage.getItem(KEY); } catch (e) { stored = null; }
      if (!new URL(window.location.href).searchParams.get("__theme")) applyTheme(stored);
    }
  }, 100);

  // The message an element belongs to: for a badge, the message holding it; for a button of
  // a message's button row (a sibling after the message), the message just before the row.
  var MSG = '[data-testid="bot"], [data-testid="user"]';
  function ownerMessage(el) {
    for (var e = el; e && e.id !== "chatbot"; e = e.parentElement) {
      var found = e.querySelectorAll(MSG);
      if (found.length === 1) return found[0];
      if (found.length > 1) return null;
      for (var s = e.previousElementSibling; s; s = s.previousElementSibling) {
        if (s.matches(MSG)) return s;
        var f = s.querySelectorAll(MSG);
        if (f.length) return f[f.length - 1];
      }
    }
    return null;
  }

  // [role, index among the messages of that role] of the message an element belongs to
  function messageIndex(el) {
    var msg = ownerMessage(el);
    if (!msg) return [null, -1];
    var role = msg.getAttribute("data-testid");
    var all = Array.prototype.slice.call(document.querySelectorAll('#chatbot [data-testid="' + role + '"]'));
    return [role, all.indexOf(msg)];
  }

  function botIndex(el) {
    var m = messageIndex(el);
    return m[0] === "bot" ? m[1] : -1;
  }

  function flashCard(turn, n) {
    var waited = 0;
    var poll = setInterval(function () {
      var card = document.getElementById("src-" + turn + "-" + n);
      waited += 100;
      if (card) {
        clearInterval(poll);
        card.scrollIntoView({ behavior: "auto", block: "start" });
        card.classList.add("flash");
        setTimeout(function () { card.classList.remove("flash"); }, 1600);
      } else if (waited > 5000) {
        clearInterval(poll);
      }
    }, 100);
  }

  function plainTexts() {
    var box = document.querySelector("#copy-texts textarea, #copy-texts input");
    if (!box) return {};
    try { return JSON.parse(box.value || "{}"); } catch (e) { return {}; }
  }

  function isCopyButton(btn) {
    var label = ((btn.getAttribute("aria-label") || "") + " " + (btn.getAttribute("title") || "")).toLowerCase();
    return label.indexOf("copy") >= 0 && label.indexOf("all") < 0;
  }

  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    var badge = target.closest("#chatbot sup.cite");
    if (badge) {
      var n = (badge.textContent || "").replace(/\D/g, "");
      var turn = botIndex(badge) + 1;
      if (n && turn > 0) flashCard(turn, n);
      return;
    }
    var btn = target.closest("#chatbot button");
    if (btn && isCopyButton(btn)) {
      var m = messageIndex(btn);
      var texts = (m[0] && plainTexts()[m[0]]) || [];
      var i = m[1];
      if (i >= 0 && i < texts.length && texts[i]) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        var text = texts[i];
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text);
        } else {
          var ta = document.createElement("textarea");
          ta.value = text; document.body.appendChild(ta); ta.select();
          try { document.execCommand("copy"); } finally { ta.remove(); }
        }
        btn.setAttribute("data-copied", "1");
      }
    }
  }, true);
})();
