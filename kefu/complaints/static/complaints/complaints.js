// 投诉 pages: the report's responsibility rows (add a row, live total) and the print button.
(function () {
  function total(box) {
    var sum = 0;
    box.querySelectorAll("input[data-percent]").forEach(function (input) {
      var value = parseFloat((input.value || "").replace("%", ""));
      if (!isNaN(value)) sum += value;
    });
    var out = box.querySelector("[data-share-total]");
    if (out) {
      out.textContent = String(Math.round(sum * 100) / 100);
      out.classList.toggle("off", Math.abs(sum - 100) > 0.001);
    }
  }
  function addRow(box) {
    var template = box.querySelector("template[data-share-template]");
    var rows = box.querySelector("[data-share-rows]");
    var count = box.querySelector("input[name$='-TOTAL_FORMS']");
    if (!template || !rows || !count) return;
    var index = parseInt(count.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    count.value = String(index + 1);
  }
  function setup() {
    document.querySelectorAll("fieldset.shares").forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      box.addEventListener("input", function () { total(box); });
      var add = box.querySelector("[data-add-share]");
      if (add) add.addEventListener("click", function () { addRow(box); });
      total(box);
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
