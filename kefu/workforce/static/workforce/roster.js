// 排班表 pages: confirm irreversible steps, print, and the cell editor beside a clicked cell.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target.closest && target.closest("[data-print]")) {
    window.print();
    return;
  }
  if (target.closest && target.closest("[data-close-editor]")) {
    var box = document.getElementById("cell-editor");
    if (box) { box.innerHTML = ""; }
    document.querySelectorAll("td.cell.selected").forEach(function (c) { c.classList.remove("selected"); });
    return;
  }
  var cell = target.closest && target.closest("table.roster.editable td.cell");
  if (!cell) {
    // A click outside the editor closes it.
    var open = document.getElementById("cell-editor");
    if (open && open.innerHTML.trim() && !(target.closest && target.closest("#cell-editor"))) {
      open.innerHTML = "";
      document.querySelectorAll("td.cell.selected").forEach(function (c) { c.classList.remove("selected"); });
    }
    return;
  }
  if (!window.htmx) { return; }
  var table = cell.closest("table");
  var url = table.getAttribute("data-cell-url") + "?employee=" + cell.parentElement.getAttribute("data-e") +
    "&day=" + cell.getAttribute("data-d");
  document.querySelectorAll("td.cell.selected").forEach(function (c) { c.classList.remove("selected"); });
  cell.classList.add("selected");
  window.kefuRosterCell = cell.parentElement.getAttribute("data-e") + "|" + cell.getAttribute("data-d");
  window.htmx.ajax("GET", url, { target: "#cell-editor", swap: "innerHTML" });
});
function placeEditor() {
  var box = document.getElementById("cell-editor");
  if (!box || !box.innerHTML.trim() || !window.kefuRosterCell) { return; }
  var parts = window.kefuRosterCell.split("|");
  var row = document.querySelector('table.roster tr[data-e="' + parts[0] + '"]');
  var cell = row && row.querySelector('td.cell[data-d="' + parts[1] + '"]');
  if (!cell) { return; }
  cell.classList.add("selected");
  if (box.querySelector(".cell-error")) { cell.classList.add("refused"); } else { cell.classList.remove("refused"); }
  var wrap = box.offsetParent || document.body;
  var c = cell.getBoundingClientRect();
  var w = wrap.getBoundingClientRect();
  var left = c.right - w.left + 6;
  if (left + box.offsetWidth > w.width) { left = Math.max(0, c.left - w.left - box.offsetWidth - 6); }
  box.style.left = left + "px";
  box.style.top = Math.max(0, c.top - w.top - 10) + "px";
}
document.addEventListener("htmx:afterSettle", placeEditor);
