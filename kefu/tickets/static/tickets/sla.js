// SLA countdown — 时限倒计时: the server gives the seconds left at render time; this only keeps the
// text moving between refreshes. Words come from the page (#sla-words) so English reads English.
(function () {
  function words() {
    var el = document.getElementById("sla-words");
    return el ? el.dataset : { left: "剩余", over: "超时", d: "天", h: "小时", m: "分" };
  }
  function duration(seconds, w) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + w.d + hours + w.h;
    if (hours) return hours + w.h + mins + w.m;
    return mins + w.m;
  }
  function tick() {
    var w = words();
    document.querySelectorAll("[data-sla-seconds]").forEach(function (el) {
      if (!el.dataset.slaAt) el.dataset.slaAt = String(Date.now());
      var left = parseInt(el.dataset.slaSeconds, 10) - Math.floor((Date.now() - parseInt(el.dataset.slaAt, 10)) / 1000);
      el.textContent = (left < 0 ? w.over : w.left) + " " + duration(left, w);
      if (left < 0 && !el.classList.contains("tag-red")) {
        el.classList.remove("tag-green", "tag-orange");
        el.classList.add("tag-red");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 30000);
  // Irreversible steps ask first (UI.md): <form data-confirm="确定要……吗？">.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);
})();
