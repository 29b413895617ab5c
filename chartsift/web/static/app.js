// chartsift reviewer: tabs, live status, the page viewer. No build step, no inline scripts (CSP).
(function () {
  "use strict";
  function showTab(id) {
    document.querySelectorAll(".tab").forEach(function (t) { t.hidden = t.id !== id; });
    document.querySelectorAll(".tabs a").forEach(function (a) { a.classList.toggle("active", a.dataset.tab === id); });
  }
  document.querySelectorAll(".tabs a").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); showTab(a.dataset.tab); });
  });

  // back from a decision (…#c-II.G): reopen that criterion
  if (window.location.hash.indexOf("#c-") === 0) {
    var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView({block: "start"}); }
  }

  var head = document.getElementById("casehead");
  if (head && (head.dataset.status === "queued" || head.dataset.status === "processing")) {
    var poll = function () {
      fetch("/cases/" + head.dataset.case + "/status", {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          document.getElementById("case-status").textContent = s.status;
          if (s.status === "done" || s.status === "failed") { window.location.reload(); }
          else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 800);
  }

  var viewer = document.getElementById("viewer");
  function openPage(btn) {
    if (!btn.dataset.doc || !btn.dataset.page) { return; }
    var url = "/cases/" + btn.dataset.case + "/documents/" + btn.dataset.doc + "/pages/" + btn.dataset.page;
    if (btn.dataset.bbox) { url += "?bbox=" + encodeURIComponent(btn.dataset.bbox); }
    fetch(url, {headers: {"Accept": "text/html"}}).then(function (r) { return r.text(); }).then(function (html) {
      var body = document.getElementById("viewer-body");
      body.innerHTML = html;
      viewer.hidden = false;
      document.querySelectorAll(".quote.current").forEach(function (q) { q.classList.remove("current"); });
      btn.classList.add("current");
      btn.scrollIntoView({block: "center"});  // the column narrowed when the viewer opened: keep the quote in sight
      var img = body.querySelector("img");
      var scroll = function () {
        // scroll the viewer only (not the window, so the clicked quote stays where it is)
        var box = document.getElementById("evbox");
        if (!box) { return; }
        body.scrollTop = Math.max(0, box.offsetTop - (body.clientHeight - box.offsetHeight) / 2);
        body.scrollLeft = Math.max(0, box.offsetLeft - 20);
      };
      if (img && !img.complete) { img.addEventListener("load", scroll); } else { scroll(); }
    });
  }
  document.querySelectorAll("button.quote").forEach(function (b) {
    b.addEventListener("click", function () { openPage(b); });
  });
  var close = document.getElementById("viewer-close");
  if (close) { close.addEventListener("click", function () { viewer.hidden = true; }); }
})();
