// Kefu page helpers. htmx itself comes from django-htmx's packaged static file.
document.addEventListener("htmx:responseError", function (event) {
  // Keep what the user typed: only show the error, never replace the form.
  var box = document.getElementById("htmx-error");
  if (box) { box.textContent = "操作失败（" + event.detail.xhr.status + "），请重试"; box.hidden = false; }
});
