// Autocomplete for the portal's search box and auto-submit of facets and sort. The page works
// without this script: facets and sort then apply with the "Lọc" / "Áp dụng" buttons.
(function () {
  "use strict";
  var form = document.getElementById("portal-search");
  var input = document.getElementById("id_q");
  var list = document.getElementById("goi-y");
  if (!form || !input || !list) return;

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "sap_xep" || target.type === "checkbox") form.submit();
  });

  var timer = null, active = -1, lastQuery = "", controller = null;

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(text) {
    input.value = text;
    close();
    form.submit();
  }

  function show(items) {
    list.textContent = "";
    active = -1;
    items.forEach(function (text, index) {
      var li = document.createElement("li");
      li.id = "goi-y-" + index;
      li.setAttribute("role", "option");
      li.textContent = text;  // never innerHTML: suggestions are data
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(text); });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function fetchSuggestions() {
    var query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { headers: { "Accept": "application/json" }, signal: controller.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (items) { if (Array.isArray(items)) show(items.slice(0, 10)); })
      .catch(function () { /* offline or aborted: no suggestions */ });
  }

  function move(step) {
    var options = list.querySelectorAll("li");
    if (!options.length) return;
    if (active >= 0) options[active].setAttribute("aria-selected", "false");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(list.querySelectorAll("li")[active].textContent);
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
