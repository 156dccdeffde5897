// The session timeout warning. The server ends a session after SESSION_IDLE_TIMEOUT
// seconds without a request (pathways.core.middleware.SessionTimeoutMiddleware); this
// script warns SESSION_TIMEOUT_WARNING seconds before, and "Stay signed in" posts to the
// keep-alive page, which renews the idle timer and answers with the time now left. Escape also means "stay signed in". When
// the time is up the page is loaded again, and the server sends the user to sign in.
// An external file, like every script of Pathways: the Content Security Policy allows no
// inline script.
(function () {
  "use strict";
  var dialog = document.getElementById("app-timeout-dialog");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var left = parseInt(dialog.getAttribute("data-seconds-left"), 10);
  var warning = parseInt(dialog.getAttribute("data-warning-seconds"), 10);
  if (!(left >= 0) || !(warning > 0)) {
    return;
  }
  var form = dialog.querySelector("form");
  var countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  var warnTimer = null;
  var tick = null;
  var deadline = 0;

  function describe(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function update() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = describe(left);
    if (left <= 0) {
      clearInterval(tick);
      // A GET of this page: the server has ended the session and sends the user to sign in.
      window.location.assign(window.location.pathname);
    }
  }

  function warn() {
    update();
    dialog.showModal();
    tick = setInterval(update, 1000);
  }

  function start(seconds) {
    clearTimeout(warnTimer);
    clearInterval(tick);
    // One second of grace so the page never reloads just before the server's limit.
    deadline = Date.now() + (seconds + 1) * 1000;
    warnTimer = setTimeout(warn, Math.max(0, seconds - warning) * 1000);
  }

  function stay() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        if (response.status !== 200) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (answer) {
        if (dialog.open) {
          dialog.close();
        }
        start(answer.seconds_left);
      })
      .catch(function () {
        window.location.assign(window.location.pathname);
      });
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.getAttribute("form")) {
      return; // "Sign out" submits the sign-out form
    }
    event.preventDefault();
    stay();
  });
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });
  start(left);
})();
