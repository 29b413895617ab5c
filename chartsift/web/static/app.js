// chartsift reviewer: tabs, live status, the page viewer (page navigation, zoom), keyboard shortcuts and inline
// form checks. No build step, no inline scripts (CSP).
(function () {
  "use strict";
  function showTab(id) {
    document.querySelectorAll(".tab").forEach(function (t) { t.hidden = t.id !== id; });
    document.querySelectorAll(".tabs a").forEach(function (a) { a.classList.toggle("active", a.dataset.tab === id); });
  }
  document.querySelectorAll(".tabs a").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); showTab(a.dataset.tab); });
  });

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

  // ---- inline checks of the upload forms (the server checks the same: 415, 413) ----------------------------
  var ACCEPTED = /\.(pdf|txt)$/i;
  function checkFiles(input) {
    var form = input.form, limit = parseInt(input.dataset.maxBytes || (form && form.dataset.maxBytes) || "0", 10);
    var files = Array.prototype.slice.call(input.files || []), total = 0, wrong = 0, empty = 0;
    files.forEach(function (f) { total += f.size; if (!ACCEPTED.test(f.name)) { wrong += 1; } else if (!f.size) { empty += 1; } });
    // as the server: a file that is not a PDF or text (or is empty) is listed on the case as not reviewed and the
    // others are reviewed; only an upload with no usable file (415) or over the limit (413) is stopped here
    var message = "", blocking = false;  // never the file's name: it may be the patient's
    var bad = wrong + empty, wording = wrong ? "not a PDF or a .txt note (save a Word .docx as PDF first)"
      : "empty (zero bytes)";
    if (limit && total > limit) {
      message = "The files add up to " + (total / 1048576).toFixed(1) + " MB, over the upload limit of " +
        (limit / 1048576).toFixed(1) + " MB: upload fewer at a time.";
      blocking = true;
    } else if (bad && bad === files.length) {
      message = (bad === 1 ? "The file is " : "No file is a PDF or a .txt note: ") +
        (bad === 1 ? wording + "." : "only PDF and text documents can be reviewed (save a Word .docx as PDF first).");
      blocking = true;
    } else if (bad) {
      message = (bad === 1 ? "1 file is " : bad + " files are ") + (wrong ? "not a PDF or a .txt note" : "empty") +
        ": it will be listed as not reviewed; the other files are reviewed.";
    }
    input.setCustomValidity(blocking ? message : "");
    var note = input.parentNode.querySelector(".inline-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "inline-error";
      note.setAttribute("role", "alert");
      input.parentNode.appendChild(note);
    }
    note.textContent = message;
    note.hidden = !message;
    note.classList.toggle("warning", !blocking);
    return !blocking;
  }
  document.querySelectorAll("input[type=file][name=documents]").forEach(function (input) {
    input.addEventListener("change", function () { checkFiles(input); });
    input.form.addEventListener("submit", function (e) {
      if (!checkFiles(input)) { e.preventDefault(); input.reportValidity(); }
    });
  });

  // ---- the page viewer -------------------------------------------------------------------------------------
  var viewer = document.getElementById("viewer");
  var vbody = document.getElementById("viewer-body");
  var ZOOMS = [0.25, 0.33, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4];
  // page: shown; want: asked for last (keys pressed faster than pages load count from it); seq drops stale answers
  // the page opens fitted to the viewer's width; a zoom chosen with the buttons or keys stays for the next page
  var state = {caseId: null, doc: null, page: 0, want: 0, pages: 0, quotePage: 0, bbox: "", zoom: 1, fit: true,
               seq: 0};

  function setText(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }

  function scrollToBox() {
    // scroll the viewer only (not the window, so the clicked quote stays where it is)
    var box = document.getElementById("evbox");
    if (!box) { return; }
    vbody.scrollTop = Math.max(0, box.offsetTop - (vbody.clientHeight - box.offsetHeight) / 2);
    vbody.scrollLeft = Math.max(0, box.offsetLeft - 20);
  }

  // Zoom sets the width of the page's frame (in pixels, or 100% of the viewer to fit); the image fills the frame
  // and the evidence box is placed in percent of the page, so it stays on its words at any size.
  function applyZoom(z) {
    var wrap = vbody.querySelector(".pageimg"), img = vbody.querySelector(".pageimg img");
    state.fit = z === "fit";
    if (!state.fit) { state.zoom = Math.min(4, Math.max(0.25, z)); }
    if (!wrap || !img) { setText("viewer-zoom", state.fit ? "fit" : Math.round(state.zoom * 100) + "%"); return; }
    var w = parseFloat(img.dataset.baseWidth);
    wrap.style.width = state.fit ? "100%" : (w * state.zoom) + "px";
    wrap.style.height = "auto";
    if (state.fit) { state.zoom = img.clientWidth / w; }
    setText("viewer-zoom", Math.round(state.zoom * 100) + "%");
    scrollToBox();
  }

  function stepZoom(direction) {
    var z = state.zoom, next = direction > 0 ? ZOOMS.find(function (s) { return s > z + 0.001; })
      : ZOOMS.slice().reverse().find(function (s) { return s < z - 0.001; });
    applyZoom(next === undefined ? z : next);
  }

  function updateBar() {
    setText("viewer-title", state.pages ? "Page " + state.page + " of " + state.pages : "Page");
    setText("viewer-pageno", state.pages ? state.page + " / " + state.pages : "");
    var prev = document.getElementById("viewer-prev"), next = document.getElementById("viewer-next");
    if (prev) { prev.disabled = !state.pages || state.page <= 1; }
    if (next) { next.disabled = !state.pages || state.page >= state.pages; }
  }

  function showPage(page) {
    // the evidence box belongs to the quote's page: other pages show without it
    var seq = ++state.seq;
    state.want = page;
    var url = "/cases/" + state.caseId + "/documents/" + state.doc + "/pages/" + page;
    if (state.bbox && page === state.quotePage) { url += "?bbox=" + encodeURIComponent(state.bbox); }
    // JSON first for an error (shown in the viewer), the page fragment (HTML) when it works
    return fetch(url, {headers: {"Accept": "application/json, text/html;q=0.9"}}).then(function (r) {
      if (!r.ok) {
        return r.json().then(function (e) { throw new Error(e.error_code + ": " + e.message); },
                             function () { throw new Error("error " + r.status); });
      }
      return r.text();
    }).then(function (html) {
      if (seq !== state.seq) { return; }  // a later page was asked for meanwhile
      vbody.innerHTML = html;
      viewer.hidden = false;
      var info = document.getElementById("pagehead");
      state.page = info ? parseInt(info.dataset.page, 10) : page;
      state.want = state.page;
      state.pages = info ? parseInt(info.dataset.pages, 10) : 0;
      var img = vbody.querySelector(".pageimg img"), box = document.getElementById("evbox");
      if (img) {
        var bw = parseFloat(img.getAttribute("width")), bh = parseFloat(img.getAttribute("height"));
        img.dataset.baseWidth = bw;
        img.style.width = "100%";
        img.style.height = "auto";
        if (box) {
          box.style.left = (parseFloat(box.style.left) / bw * 100) + "%";
          box.style.width = (parseFloat(box.style.width) / bw * 100) + "%";
          box.style.top = (parseFloat(box.style.top) / bh * 100) + "%";
          box.style.height = (parseFloat(box.style.height) / bh * 100) + "%";
        }
      }
      updateBar();
      applyZoom(state.fit ? "fit" : state.zoom);
      if (img && !img.complete) { img.addEventListener("load", scrollToBox); }
      if (!box) { vbody.scrollTop = 0; }
    }).catch(function (err) {
      if (seq !== state.seq) { return; }
      state.want = state.page;
      viewer.hidden = false;
      vbody.innerHTML = "";
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = "The page could not be shown (" + err.message + ").";
      vbody.appendChild(p);
    });
  }

  function openPage(btn) {
    if (!btn.dataset.doc || !btn.dataset.page) { return false; }
    state.caseId = btn.dataset.case;
    state.doc = btn.dataset.doc;
    state.quotePage = parseInt(btn.dataset.page, 10);
    state.bbox = btn.dataset.bbox || "";
    document.querySelectorAll(".quote.current").forEach(function (q) { q.classList.remove("current"); });
    btn.classList.add("current");
    showPage(state.quotePage).then(function () {
      btn.scrollIntoView({block: "center"});  // the column narrowed when the viewer opened: keep the quote in sight
    });
    return true;
  }

  function closeViewer() {
    if (viewer) { viewer.hidden = true; }
  }

  function turnPage(delta) {
    if (!viewer || viewer.hidden || !state.pages) { return; }
    var page = state.want + delta;
    if (page >= 1 && page <= state.pages) { showPage(page); }
  }

  document.querySelectorAll("button.quote").forEach(function (b) {
    b.addEventListener("click", function () { openPage(b); });
  });
  function on(id, handler) { var el = document.getElementById(id); if (el) { el.addEventListener("click", handler); } }
  on("viewer-close", closeViewer);
  on("viewer-prev", function () { turnPage(-1); });
  on("viewer-next", function () { turnPage(1); });
  on("viewer-zoom-in", function () { stepZoom(1); });
  on("viewer-zoom-out", function () { stepZoom(-1); });
  on("viewer-fit", function () { applyZoom("fit"); });

  // ---- the current criterion and the keyboard ---------------------------------------------------------------
  var criteria = Array.prototype.slice.call(document.querySelectorAll("details.criterion"));
  var current = null;

  function say(text) { setText("kbd-status", text); }

  function setCurrent(el, scroll) {
    if (current && current !== el) { current.classList.remove("current"); }
    current = el;
    if (!el) { return; }
    el.classList.add("current");
    if (scroll) { el.scrollIntoView({block: "nearest"}); }
  }

  criteria.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) { setCurrent(d, false); } });
  });

  // back from a decision (…#c-II.G): reopen that criterion and make it the current one
  if (window.location.hash.indexOf("#c-") === 0) {
    var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      setCurrent(target, false);
      target.scrollIntoView({block: "start"});
    }
  }

  function moveCriterion(delta) {
    // the alternatives a met "any of" does not need are skipped
    var list = criteria.filter(function (d) { return !d.classList.contains("not-needed"); });
    if (!list.length) { return; }
    showTab("tab-criteria");
    var i = current ? list.indexOf(current) : -1;
    var next = i < 0 ? (delta > 0 ? list[0] : list[list.length - 1]) : list[Math.min(list.length - 1, Math.max(0, i + delta))];
    if (current && current !== next) { current.open = false; }
    next.open = true;
    setCurrent(next, true);
    say(next.dataset.criterion);
  }

  function currentForm() {
    if (!current) { say("Choose a criterion first (j / k)."); return null; }
    return current.querySelector("form.decide");
  }

  function confirmCurrent() {
    var form = currentForm();
    if (!form) { return; }
    say("Confirming " + current.dataset.criterion + "…");
    form.requestSubmit(form.querySelector("button[value=confirm]"));
  }

  function overrideCurrent() {
    var form = currentForm();
    if (!form) { return; }
    current.open = true;
    var select = form.querySelector("select[name=status]");
    select.focus();
    form.scrollIntoView({block: "nearest"});
    say("Override " + current.dataset.criterion + ": choose the status, write the note, press Override.");
  }

  function toggleViewer() {
    if (viewer && !viewer.hidden) { closeViewer(); return; }
    if (!current) { say("Choose a criterion first (j / k)."); return; }
    var quote = Array.prototype.slice.call(current.querySelectorAll("button.quote"))
      .find(function (b) { return b.dataset.doc && b.dataset.page; });
    if (!quote || !openPage(quote)) { say(current.dataset.criterion + " has no quote on a PDF page."); }
  }

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  var KEYS = {
    "j": function () { moveCriterion(1); },
    "k": function () { moveCriterion(-1); },
    "c": confirmCurrent,
    "o": overrideCurrent,
    "v": toggleViewer,
    "Escape": closeViewer,
    "[": function () { turnPage(-1); },
    "]": function () { turnPage(1); },
    "ArrowLeft": function () { turnPage(-1); },
    "ArrowRight": function () { turnPage(1); },
    "+": function () { if (!viewer.hidden) { stepZoom(1); } },
    "=": function () { if (!viewer.hidden) { stepZoom(1); } },
    "-": function () { if (!viewer.hidden) { stepZoom(-1); } },
    "0": function () { if (!viewer.hidden) { applyZoom("fit"); } }
  };

  if (viewer && criteria.length) {
    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
      var action = KEYS[e.key];
      if (!action) { return; }
      if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && viewer.hidden) { return; }  // leave scrolling alone
      e.preventDefault();
      action();
    });
  }
})();
