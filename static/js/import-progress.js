// While an import runs, reload its page every 5 seconds so the progress shown stays true.
// Without JavaScript the page says how far it has got and offers a "Refresh" link.
(function () {
  var running = document.querySelector("[data-import-running]");
  if (running) {
    window.setTimeout(function () { window.location.reload(); }, 5000);
  }
})();
