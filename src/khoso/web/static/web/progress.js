/* Polls the file's progress JSON every 2 s and renders the bar, per-page states and QC problems. */
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) return;
  var url = box.dataset.url;
  var T = JSON.parse(document.getElementById("progress-texts").textContent);
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var list = document.getElementById("page-states");
  var problems = document.getElementById("page-problems");
  var pdf = document.getElementById("pdf-link");
  var FINAL = { done: true, needs_rescan: true, failed: true, empty: true };
  var timer = null;

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return String(values[k]); });
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function render(data) {
    bar.max = Math.max(1, data.total);
    bar.value = data.done;
    var parts = [T.status[data.status] || data.status];
    if (data.total) parts.push(fmt(T.pages_done, data));
    if (data.failed) parts.push(fmt(T.failed, { n: data.failed }));
    if (data.rescan) parts.push(fmt(T.rescan, { n: data.rescan }));
    text.textContent = parts.join(" · ");
    box.dataset.status = data.status;

    var items = document.createDocumentFragment();
    var notes = document.createDocumentFragment();
    data.pages.forEach(function (p) {
      var li = el("li", "st st-" + (p.needs_rescan ? "rescan" : p.stage));
      var a = el("a", null, String(p.number));
      a.href = p.url;
      var title = T.page + " " + p.number + ": " + (T.stages[p.stage] || p.stage);
      if (p.needs_rescan) title += " (" + T.rescan_flag + ")";
      a.title = title;
      li.appendChild(a);
      items.appendChild(li);
      var messages = (p.problems || []).map(function (q) { return q.message || q.code; });
      if (p.error) messages.unshift(T.error + ": " + p.error);
      if (messages.length || p.needs_rescan) {
        var note = el("li", p.needs_rescan || p.stage === "failed" ? "bad" : "warn");
        var link = el("a", null, T.page + " " + p.number);
        link.href = p.url;
        note.appendChild(link);
        note.appendChild(document.createTextNode(
          (p.needs_rescan ? " — " + T.rescan_flag : "") + (messages.length ? ": " + messages.join("; ") : "")));
        notes.appendChild(note);
      }
    });
    list.replaceChildren(items);
    problems.replaceChildren(notes);
    if (pdf && data.pdf_url) { pdf.href = data.pdf_url; pdf.hidden = false; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        render(data);
        if (FINAL[data.status]) { timer = null; return; }
        timer = setTimeout(poll, 2000);
      })
      .catch(function () { text.textContent = T.offline; timer = setTimeout(poll, 2000); });
  }
  poll();
})();
