// 候选选择 — an input with data-picker="<hidden field id>" and a <datalist> filled by htmx:
// choosing a suggestion copies its data-id into the hidden field; typing anything else clears
// it (the server then resolves the typed text itself). No other behaviour.
(function () {
  function sync(input) {
    var hidden = document.getElementById(input.getAttribute("data-picker"));
    if (!hidden) return;
    var list = input.list, picked = "";
    if (list) {
      for (var i = 0; i < list.options.length; i++) {
        if (list.options[i].value === input.value) { picked = list.options[i].getAttribute("data-id") || ""; break; }
      }
    }
    if (hidden.value !== picked) {
      hidden.value = picked;
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  function handle(event) {
    var t = event.target;
    if (t && t.matches && t.matches("input[data-picker]")) sync(t);
  }
  document.addEventListener("input", handle);
  document.addEventListener("change", handle);
})();
