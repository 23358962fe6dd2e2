// The advisors' chat console: the visitor's new messages appear as they come (a long poll on the
// conversation's events, from the last number the page shows). The page works without it.
(function () {
  "use strict";
  var list = document.getElementById("transcript");
  if (!list || !window.fetch) return;
  var id = list.dataset.id, after = Number(list.dataset.after), visitor = list.dataset.visitor;
  function poll() {
    fetch("/chat/" + id + "/events?after=" + after, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (r) {
        r.events.forEach(function (e) {
          if (e.seq <= after) return;
          after = e.seq;
          // Anything but the visitor's words changes the page's state: show it whole again.
          if (!(e.author === "visitor" && e.kind === "message")) { location.replace(location.pathname); return; }
          var li = document.createElement("li");
          var who = document.createElement("span");
          who.className = "small muted";
          // As the server writes times: Paris time, in the page's language.
          var lang = document.documentElement.lang === "en" ? "en-CA" : "fr-FR";
          var at = new Date(e.at).toLocaleString(lang, { timeZone: "Europe/Paris", year: "numeric",
            month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });
          who.textContent = at.replace(",", "") + " · " + visitor;
          li.appendChild(who);
          li.appendChild(document.createElement("br"));
          li.appendChild(document.createTextNode(e.body));
          list.appendChild(li);
        });
        poll();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
