/* Page viewer: "go to page" box, arrow-key navigation, first highlight scrolled into view. */
(function () {
  "use strict";
  var form = document.getElementById("jump-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var n = parseInt(form.elements.trang.value, 10);
      if (!n) return;
      var url = form.dataset.base + n + "/";
      if (form.elements.q) url += "?q=" + encodeURIComponent(form.elements.q.value);
      window.location.href = url;
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select")) return;
    var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector('a[rel="' + rel + '"]');
    if (link) window.location.href = link.href;
  });
  var current = document.querySelector(".strip li.current");
  if (current) current.scrollIntoView({ block: "nearest" });
  var hit = document.querySelector(".image-frame .hl");
  if (hit) hit.scrollIntoView({ block: "center" });
})();
