// Pacte's chat launcher for any web site:
//   <script src="https://pacte.example/static/widget.js" data-org="demo" defer></script>
// A button; the conversation (static/chat.js) loads on the first click, or at once when this
// browser has a conversation under way (it survives a page change and a reload).
(function () {
  var me = document.currentScript;
  if (!me) return;
  var org = me.getAttribute("data-org");
  var base = new URL(me.src, location.href).origin;
  var lang = (document.documentElement.lang || "fr").slice(0, 2) === "en" ? "en" : "fr";
  var b = document.createElement("button");
  b.type = "button";
  b.id = "pacte-launcher";
  b.textContent = lang === "en" ? "Questions? Chat with us" : "Une question\u00a0? Discutons";
  b.setAttribute("aria-haspopup", "dialog");
  var s = b.style;
  s.position = "fixed"; s.right = "1rem"; s.bottom = "1rem"; s.zIndex = "2147483000";
  s.padding = ".75rem 1.1rem"; s.border = "0"; s.borderRadius = "2rem";
  s.background = "#1d4ed8"; s.color = "#fff"; s.font = "600 1rem system-ui, sans-serif";
  s.cursor = "pointer"; s.boxShadow = "0 2px 8px rgba(0,0,0,.25)";
  var loading = false;
  function open() {
    if (window.PacteChat) return window.PacteChat.open();
    if (loading) return;
    loading = true;
    var app = document.createElement("script");
    app.src = base + "/static/chat.js";
    app.onload = function () {
      window.PacteChat.start({ org: org, base: base, lang: lang, launcher: b });
    };
    document.head.appendChild(app);
  }
  b.addEventListener("click", open);
  document.body.appendChild(b);
  try {
    if (localStorage.getItem("pacte-chat-" + org)) open();
  } catch (e) { /* storage refused: the conversation starts on click */ }
})();
