// 销售 pages: confirm destructive or ledger-writing actions ("确定……吗？") before submitting.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
