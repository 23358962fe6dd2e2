// Pacte's live pages: our own small script. Every page works without it; with it, the inbox says
// when cases change, and the case page shows a new message (at once when no reply is being
// written, else on request) and who else is writing a reply.
(function () {
  "use strict";
  // Print buttons (a review's printable record): no inline handlers under the CSP.
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // "Back" links (error pages): the previous page when there is one, else their own address.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (history.length > 1) {
        e.preventDefault();
        history.back();
      }
    });
  });
  var news = document.getElementById("live-news");
  var kase = document.getElementById("live-case");
  if (!window.EventSource || (!news && !kase)) return;
  var draft = document.getElementById("reply-body");
  var key = kase && "pacte-draft-" + kase.dataset.number;
  // A draft kept across the reload that showed a new message comes back.
  if (draft && key && !draft.value && sessionStorage.getItem(key)) {
    draft.value = sessionStorage.getItem(key);
  }
  if (key) sessionStorage.removeItem(key);
  function reload() {
    if (draft && key && draft.value.trim()) sessionStorage.setItem(key, draft.value);
    if (!kase) {
      location.reload();
      return;
    }
    // The case page again by GET (it may be the answer to a POST), in the same language.
    var lang = new URLSearchParams(location.search).get("lang");
    location.replace(location.pathname + (lang ? "?lang=" + encodeURIComponent(lang) : ""));
  }
  var box = news || kase;
  var events = new EventSource("/events?after=" + encodeURIComponent(box.dataset.after));
  var changed = {};
  events.addEventListener("reload", function () { reload(); });
  events.addEventListener("case", function (e) {
    var c = JSON.parse(e.data);
    if (news) {
      changed[c.id] = true;
      var n = Object.keys(changed).length;
      var link = news.querySelector("a");
      link.textContent = (n < 2 ? news.dataset.one : news.dataset.other).replace("{n}", n);
      news.hidden = false;
    }
    if (kase && String(c.number) === kase.dataset.number) {
      var now = c.status + " " + c.updated_at + " " + (c.assignee_id || 0);
      if (now === kase.dataset.seen) return; // nothing the page shows changed
      if (!draft || !draft.value.trim()) {
        reload();
        return;
      }
      var changedLink = kase.querySelector(".changed");
      changedLink.hidden = false;
      changedLink.querySelector("a").onclick = function (ev) { ev.preventDefault(); reload(); };
      kase.hidden = false;
    }
  });
  if (!kase) return;
  var who = kase.querySelector(".typing");
  var hide;
  events.addEventListener("typing", function (e) {
    var t = JSON.parse(e.data);
    if (String(t.number) !== kase.dataset.number) return;
    who.textContent = kase.dataset.typing.replace("{name}", t.name);
    who.hidden = false;
    kase.hidden = false;
    clearTimeout(hide);
    hide = setTimeout(function () { who.hidden = true; }, 8000);
  });
  var told = 0;
  if (draft) {
    draft.addEventListener("input", function () {
      var now = Date.now();
      if (now - told < 4000) return;
      told = now;
      fetch("/cases/" + kase.dataset.number + "/typing", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "csrf=" + encodeURIComponent(kase.dataset.csrf)
      });
    });
  }
})();
