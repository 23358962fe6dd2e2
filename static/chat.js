// Pacte's chat conversation, loaded by static/widget.js. Every event has a number; the client
// keeps the last one it showed and asks for what follows, so a lost connection, a reload or a
// page change misses nothing and shows nothing twice. Text is only ever set as text.
(function () {
  var W = {
    fr: {
      title: "Discuter avec nous", close: "Fermer", send: "Envoyer", placeholder: "Votre message",
      human: "Parler à un conseiller", helped: "Cela répond-il à votre question\u00a0?", yes: "Oui", no: "Non",
      thanks: "Merci\u00a0!", sorry: "Dommage. Reformulez votre question, ou parlez à un conseiller.",
      handoff: "Un conseiller va vous répondre.", place: "Vous êtes n°\u00a0{n} dans la file.",
      wait: "Attente estimée\u00a0: environ {m}\u00a0min.", joined: "{name} a rejoint la conversation.",
      closed: "Conversation terminée. Merci\u00a0!", lost: "Connexion perdue, nouvelle tentative…",
      refused: "Message refusé\u00a0: ", hello: "Bonjour\u00a0! Posez votre question, je cherche la réponse.",
      end: "Terminer la conversation", again: "Nouvelle conversation", typing: "Le conseiller écrit…",
      solved: "Votre demande est-elle résolue\u00a0?", answer: "Envoyer ma réponse", score: "Note {n} sur {max}",
      away: "Aucun conseiller n'est disponible pour le moment.", shut: "Nos conseillers ne sont pas disponibles à cette heure.",
      offer: "Laissez-nous un message\u00a0: nous vous répondrons par e-mail.", email: "Votre adresse e-mail",
      message: "Votre message", leave: "Envoyer le message", left: "Message reçu, merci.",
      noted: "Merci pour votre réponse.", pick: "Choisissez une réponse à chaque question.", reopened: "Nous reprenons votre demande\u00a0: un conseiller revient vers vous."
    },
    en: {
      title: "Chat with us", close: "Close", send: "Send", placeholder: "Your message",
      human: "Talk to an advisor", helped: "Does this answer your question?", yes: "Yes", no: "No",
      thanks: "Thank you!", sorry: "Sorry. Rephrase your question, or talk to an advisor.",
      handoff: "An advisor will answer you.", place: "You are number {n} in the queue.",
      wait: "Estimated wait: about {m} min.", joined: "{name} joined the conversation.",
      closed: "Conversation ended. Thank you!", lost: "Connection lost, trying again…",
      refused: "Message refused: ", hello: "Hello! Ask your question, I will look for the answer.",
      end: "End the conversation", again: "New conversation", typing: "The advisor is typing…",
      solved: "Was your request solved?", answer: "Send my answer", score: "Score {n} out of {max}",
      away: "No advisor is available at the moment.", shut: "Our advisors are not available at this time.",
      offer: "Leave us a message: we will answer you by email.", email: "Your email address",
      message: "Your message", leave: "Send the message", left: "Message received, thank you.",
      noted: "Thank you for your answer.", pick: "Choose an answer to each question.", reopened: "We are taking your request up again: an advisor will get back to you."
    }
  };
  var o, t, key, state, panel, log, status, input, seen = 0, polling = false, sock = null, failures = 0, ended = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function save() { if (state) try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) {} }
  function forget() { state = null; try { localStorage.removeItem(key); } catch (e) {} }
  function api(method, path, body) {
    var h = { "Content-Type": "application/json" };
    if (state && state.token) h["X-Chat-Token"] = state.token;
    return fetch(o.base + "/api/v1/chat" + path, {
      method: method, headers: h, body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { var e = new Error((j.error && j.error.message) || r.status); e.status = r.status; throw e; }
        return j;
      });
    });
  }
  var LOOK = {
    me: "margin:.4rem 0 .4rem 3rem;padding:.4rem .6rem;border-radius:.6rem;background:#1d4ed8;color:#fff",
    them: "margin:.4rem 3rem .4rem 0;padding:.4rem .6rem;border-radius:.6rem;background:#eef2f7",
    bot: "margin:.4rem 3rem .4rem 0;padding:.4rem .6rem;border-radius:.6rem;background:#eef2f7",
    sys: "margin:.4rem 0;font-size:.9rem;color:#444;font-style:italic",
    err: "margin:.4rem 0;font-size:.9rem;color:#b91c1c"
  };
  function line(cls, text) {
    var p = el("p", "pc-" + cls, text);
    p.style.cssText = LOOK[cls] || "";
    log.appendChild(p);
    log.scrollTop = log.scrollHeight;
    return p;
  }
  function show(view) {
    status.textContent = "";
    if (view.status === "waiting") {
      var s = view.position ? t.place.replace("{n}", view.position) : "";
      if (view.estimated_wait_secs != null) s += " " + t.wait.replace("{m}", Math.max(1, Math.round(view.estimated_wait_secs / 60)));
      status.textContent = s;
    }
    var rate = log.querySelector(".pc-rate");
    if (rate && view.status !== "bot") rate.remove();
    var leave = log.querySelector(".pc-leave");
    if (leave && (view.status !== "waiting" || view.advisors === "available" || view.advisors === "busy")) leave.remove();
    if (view.status === "waiting" && (view.advisors === "away" || view.advisors === "closed") && !log.querySelector(".pc-leave")) offline(view.advisors);
    if (view.status === "closed" && view.survey && ended && !ended.asked) { ended.asked = true; ask(view.survey, ended); }
  }
  // Nobody can answer now: a message and an address instead, which become an email case.
  function offline(why) {
    var f = el("form", "pc-leave");
    f.style.cssText = "margin:.5rem 0;padding:.5rem;border:1px solid #ddd;border-radius:.5rem";
    f.appendChild(el("p", null, (why === "closed" ? t.shut : t.away) + " " + t.offer));
    var mail = el("input");
    mail.type = "email"; mail.name = "email"; mail.required = true; mail.placeholder = t.email;
    mail.setAttribute("aria-label", t.email); mail.autocomplete = "email";
    var text = el("textarea");
    text.name = "text"; text.rows = 3; text.maxLength = 2000; text.required = true;
    text.placeholder = t.message; text.setAttribute("aria-label", t.message);
    [mail, text].forEach(function (x) { x.style.cssText = "display:block;width:100%;box-sizing:border-box;margin:.25rem 0"; f.appendChild(x); });
    var go = el("button", null, t.leave); go.type = "submit";
    go.style.cssText = "display:inline-block;width:auto";
    f.appendChild(go);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      api("POST", "/conversations/" + state.id + "/message", { email: mail.value, text: text.value }).then(function (r) {
        f.remove();
        line("sys", t.left + (r.promise ? " " + r.promise : ""));
        take(r);
      }).catch(function (e) { line("err", t.refused + e.message); });
    });
    log.appendChild(f);
    log.scrollTop = log.scrollHeight;
  }
  // The closing survey: "was it solved?", the score and why, sent once with the token the
  // ended conversation was held by.
  function ask(sv, held) {
    var f = el("form", "pc-survey"), picked = {};
    f.style.cssText = "margin:.5rem 0;padding:.5rem;border:1px solid #ddd;border-radius:.5rem";
    function choice(legend, items, name) {
      var fs = el("fieldset");
      fs.style.cssText = "display:block;border:0;margin:0 0 .5rem;padding:0;background:none";
      fs.appendChild(el("legend", null, legend));
      items.forEach(function (x) {
        var b = el("button", null, x[0]);
        b.type = "button";
        if (x[2]) b.setAttribute("aria-label", x[2]);
        b.setAttribute("aria-pressed", "false");
        b.style.cssText = "display:inline-block;width:auto;margin:.15rem;min-width:2.4rem;padding:.3rem .5rem";
        b.addEventListener("click", function () {
          picked[name] = x[1];
          fs.querySelectorAll("button").forEach(function (y) { y.setAttribute("aria-pressed", String(y === b)); y.style.fontWeight = y === b ? "bold" : ""; });
        });
        fs.appendChild(b);
      });
      f.appendChild(fs);
    }
    if (sv.ask_solved) choice(t.solved, [[t.yes, true], [t.no, false]], "solved");
    if (sv.min != null) {
      var n = [];
      for (var i = sv.min; i <= sv.max; i++) n.push([String(i), i, t.score.replace("{n}", i).replace("{max}", sv.max)]);
      choice(sv.question, n, "score");
    }
    var why = el("textarea");
    why.rows = 2; why.maxLength = 2000; why.setAttribute("aria-label", sv.comment); why.placeholder = sv.comment;
    why.style.cssText = "width:100%;box-sizing:border-box";
    f.appendChild(why);
    var go = el("button", null, t.answer); go.type = "submit";
    f.appendChild(go);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if ((sv.min != null && picked.score == null) || (sv.kind === "solved" && picked.solved == null)) return line("err", t.pick);
      fetch(o.base + "/api/v1/chat/conversations/" + held.id + "/survey", {
        method: "POST", headers: { "Content-Type": "application/json", "X-Chat-Token": held.token },
        body: JSON.stringify({ score: picked.score, solved: picked.solved, comment: why.value, lang: o.lang })
      }).then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error((j.error && j.error.message) || r.status);
          f.remove();
          line("sys", j.reopened_case ? t.noted + " " + t.reopened : t.noted);
        });
      }).catch(function (e) { line("err", t.refused + e.message); });
    });
    log.insertBefore(f, log.querySelector(".pc-again"));
    log.scrollTop = log.scrollHeight;
  }
  // Events are shown in their order only: one that comes after a gap waits for the poll, which
  // asks for everything after the last one shown.
  function render(e) {
    if (!state || e.seq !== seen + 1) return;
    seen = e.seq;
    var old = log.querySelector(".pc-rate");
    if (old) old.remove();
    if (e.kind === "message") line(e.author === "visitor" ? "me" : "them", e.body);
    else if (e.kind === "answer") {
      line("bot", e.body);
      var q = el("div", "pc-rate");
      q.appendChild(el("span", null, t.helped + " "));
      [[t.yes, true], [t.no, false]].forEach(function (x) {
        var b = el("button", null, x[0]);
        b.type = "button";
        b.addEventListener("click", function () { act(api("POST", "/conversations/" + state.id + "/feedback", { helpful: x[1] })); });
        q.appendChild(b);
      });
      log.appendChild(q);
    } else if (e.kind === "feedback") line("sys", e.body === "yes" ? t.thanks : t.sorry);
    else if (e.kind === "handoff") line("sys", t.handoff);
    else if (e.kind === "accepted") line("sys", t.joined.replace("{name}", e.body));
    else if (e.kind === "closed") {
      line("sys", t.closed);
      // Nothing more can be said in it: only the survey and a new conversation remain.
      panel.querySelectorAll(".pc-form, .pc-foot").forEach(function (x) { x.style.display = "none"; });
      ended = state;
      forget();
      var again = el("button", "pc-again", t.again);
      again.type = "button";
      again.addEventListener("click", function () { panel.remove(); seen = 0; window.PacteChat.start(o); });
      log.appendChild(again);
      return;
    }
    state.seq = seen; save();
  }
  function take(r) {
    (r.events || []).slice().sort(function (a, b) { return a.seq - b.seq; }).forEach(render);
    show(r);
    return r;
  }
  function act(p) { return p.then(take).catch(function (e) { line("err", t.refused + e.message); }); }
  // A WebSocket pushes every event after the last one shown; when it drops, the next one asks
  // again from there. Where sockets never open (a proxy that refuses them), the long poll does.
  function follow() {
    if (!state || sock || polling) return;
    if (failures >= 2 || !window.WebSocket) return poll();
    var opened = false, url = o.base.replace(/^http/, "ws") + "/api/v1/chat/conversations/" + state.id + "/socket?after=" + seen;
    try { sock = new WebSocket(url, ["pacte-chat", state.token]); } catch (e) { failures = 2; sock = null; return poll(); }
    sock.onopen = function () { opened = true; failures = 0; status.textContent = ""; };
    sock.onmessage = function (m) {
      var r; try { r = JSON.parse(m.data); } catch (e) { return; }
      if (r.error) {
        if (r.error.code === "unauthenticated" || r.error.code === "conversation_expired") forget();
        return;
      }
      if (r.typing) { typingNote(); return; }
      take(r);
    };
    sock.onclose = function () {
      sock = null;
      if (!opened) failures++;
      if (!state) return;
      status.textContent = t.lost;
      setTimeout(follow, opened ? 500 : 2000);
    };
  }
  var typingTimer = null, lastTyped = 0;
  function typingNote() {
    status.textContent = t.typing;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { if (status.textContent === t.typing) status.textContent = ""; }, 4000);
  }
  function typed() {
    var now = Date.now();
    if (sock && sock.readyState === 1 && now - lastTyped > 2000) { lastTyped = now; sock.send('{"typing":true}'); }
  }
  function poll() {
    if (polling || !state) return;
    polling = true;
    api("GET", "/conversations/" + state.id + "/events?after=" + seen + "&wait=25").then(function (r) {
      polling = false; take(r);
      if (r.status !== "closed") poll();
    }).catch(function (e) {
      polling = false;
      if (e.status === 401 || e.status === 409 || e.status === 404) { forget(); return; }
      status.textContent = t.lost;
      setTimeout(poll, 2000);
    });
  }
  function build() {
    panel = el("section", "pc-panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", t.title);
    panel.id = "pacte-chat";
    var s = panel.style;
    s.position = "fixed"; s.right = "1rem"; s.bottom = "4.5rem"; s.width = "min(24rem, calc(100vw - 2rem))";
    s.maxHeight = "70vh"; s.display = "flex"; s.flexDirection = "column"; s.background = "#fff"; s.color = "#111";
    s.border = "1px solid #ccc"; s.borderRadius = ".75rem"; s.boxShadow = "0 4px 16px rgba(0,0,0,.2)";
    s.font = "1rem/1.4 system-ui, sans-serif"; s.zIndex = "2147483001";
    var head = el("header");
    head.style.cssText = "display:flex;justify-content:space-between;align-items:center;padding:.5rem .75rem;border-bottom:1px solid #eee";
    head.appendChild(el("strong", null, t.title));
    var x = el("button", null, "×");
    x.type = "button"; x.setAttribute("aria-label", t.close);
    function hide() {
      panel.style.display = "none";
      o.launcher.setAttribute("aria-expanded", "false");
      o.launcher.focus();
    }
    x.addEventListener("click", hide);
    panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") hide(); });
    o.launcher.setAttribute("aria-controls", "pacte-chat");
    o.launcher.setAttribute("aria-expanded", "true");
    head.appendChild(x);
    log = el("div", "pc-log");
    log.setAttribute("role", "log"); log.setAttribute("aria-live", "polite");
    log.style.cssText = "overflow-y:auto;padding:.5rem .75rem;flex:1";
    status = el("p", "pc-status");
    status.setAttribute("role", "status");
    status.style.cssText = "margin:0;padding:0 .75rem;font-size:.9rem;color:#444";
    var form = el("form", "pc-form");
    form.style.cssText = "display:flex;gap:.5rem;padding:.5rem .75rem";
    input = el("input");
    input.name = "message"; input.maxLength = 2000; input.placeholder = t.placeholder;
    input.setAttribute("aria-label", t.placeholder); input.style.flex = "1";
    input.addEventListener("input", typed);
    var send = el("button", null, t.send); send.type = "submit";
    form.appendChild(input); form.appendChild(send);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      // A message refused (or not sent) comes back in the field, to try again.
      api("POST", "/conversations/" + state.id + "/messages", { text: text }).then(take).catch(function (e) {
        if (!input.value) input.value = text;
        line("err", t.refused + e.message);
      });
    });
    var foot = el("div", "pc-foot");
    foot.style.cssText = "display:flex;justify-content:space-between;padding:0 .75rem .5rem";
    var human = el("button", "pc-human", t.human); human.type = "button";
    human.addEventListener("click", function () { act(api("POST", "/conversations/" + state.id + "/handoff")); });
    var end = el("button", "pc-end", t.end); end.type = "button";
    end.addEventListener("click", function () { act(api("POST", "/conversations/" + state.id + "/close")); });
    foot.appendChild(human); foot.appendChild(end);
    panel.appendChild(head); panel.appendChild(log); panel.appendChild(status);
    panel.appendChild(form); panel.appendChild(foot);
    document.body.appendChild(panel);
  }
  window.PacteChat = {
    start: function (opts) {
      o = opts; t = W[o.lang] || W.fr; key = "pacte-chat-" + o.org; ended = null;
      try { state = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { state = null; }
      build();
      line("bot", t.hello);
      var ready = state ? api("GET", "/conversations/" + state.id + "/events?after=0").then(take)
        : api("POST", "/" + encodeURIComponent(o.org) + "/conversations", { lang: o.lang }).then(function (r) {
            state = { id: r.conversation_id, token: r.token, seq: 0 }; save(); return r;
          });
      ready.then(function () { follow(); input.focus(); }).catch(function (e) {
        // Only a conversation that is gone for good is left for a new one; anything else (the
        // network, a busy server) keeps it and tries again.
        var gone = e.status === 401 || e.status === 404 || e.status === 409;
        if (state && gone) { forget(); panel.remove(); seen = 0; window.PacteChat.start(o); }
        else if (state) { status.textContent = t.lost; setTimeout(follow, 2000); }
        else line("err", t.refused + e.message);
      });
    },
    open: function () {
      panel.style.display = "flex";
      o.launcher.setAttribute("aria-expanded", "true");
      input.focus();
    }
  };
})();
