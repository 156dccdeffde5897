// The session timeout warning. The server ends a session after SESSION_IDLE_TIMEOUT
// seconds without a request (pathways.core.middleware.SessionTimeoutMiddleware); this
// script warns SESSION_TIMEOUT_WARNING seconds before, and "Stay signed in" posts to the
// keep-alive page, which renews the idle timer and answers with the time now left. Escape
// also means "stay signed in".
// The warning says the true time left (whole minutes, never more than is left; minutes and
// seconds under two minutes; seconds under one), and a polite live region announces it when
// the warning opens, at each whole minute, and at 30 and 10 seconds: not every second.
// Another tab of the same browser may have kept the session alive: before warning, and
// before leaving the page when the time is up, the script asks the server how long is left
// (/accounts/session/, which does not renew the session), so what was typed is never lost
// while the session lives. When the server says it is over, the page is loaded again and
// the server sends the user to sign in.
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
  var statusUrl = dialog.getAttribute("data-status-url");
  if (!(left >= 0) || !(warning > 0)) {
    return;
  }
  var form = dialog.querySelector("form");
  var countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  var announcer = dialog.querySelector(".app-timeout-dialog__announcement");
  var warnTimer = null;
  var tick = null;
  var deadline = 0;
  var announced = null;
  var checking = false;

  function plural(n, unit) {
    return n + " " + unit + (n === 1 ? "" : "s");
  }

  // Never more than is left: 2 minutes 59 seconds is "2 minutes 59 seconds", 3:30 "3 minutes".
  function describe(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (minutes >= 2) {
      return plural(minutes, "minute");
    }
    if (minutes === 1) {
      return rest ? plural(1, "minute") + " " + plural(rest, "second") : plural(1, "minute");
    }
    return plural(seconds, "second");
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000) - 1);
  }

  function announce(seconds, force) {
    if (!announcer) {
      return;
    }
    if (force || (seconds !== announced && (seconds % 60 === 0 || seconds === 30 || seconds === 10))) {
      announced = seconds;
      announcer.textContent = "You will be signed out in " + describe(seconds) + ".";
    }
  }

  function leave() {
    // A GET of this page: the server has ended the session and sends the user to sign in.
    window.location.assign(window.location.pathname + window.location.search);
  }

  // Ask the server how long the session has; another tab may have kept it alive.
  function check(onOver) {
    if (checking) {
      return;
    }
    checking = true;
    fetch(statusUrl, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
      .then(function (response) {
        if (response.status !== 200) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (answer) {
        checking = false;
        onOver(answer.seconds_left);
      })
      .catch(function () {
        checking = false;
        leave();
      });
  }

  function update() {
    var seconds = secondsLeft();
    countdown.textContent = describe(seconds);
    announce(seconds, false);
    if (seconds <= 0) {
      clearInterval(tick);
      check(function (serverLeft) {
        if (serverLeft > 0) {
          resume(serverLeft);
        } else {
          // The server ends the session once the limit has passed: give it that second.
          setTimeout(leave, 1500);
        }
      });
    }
  }

  function resume(serverLeft) {
    if (serverLeft > warning) {
      if (dialog.open) {
        dialog.close();
      }
      start(serverLeft);
    } else {
      start(serverLeft);
    }
  }

  function warn() {
    // Before warning, ask: activity in another tab may have given the session more time.
    check(function (serverLeft) {
      if (serverLeft > warning) {
        start(serverLeft);
        return;
      }
      deadline = Date.now() + (serverLeft + 1) * 1000;
      countdown.textContent = describe(secondsLeft());
      if (!dialog.open) {
        dialog.showModal();
      }
      announce(secondsLeft(), true);
      clearInterval(tick);
      tick = setInterval(update, 1000);
    });
  }

  function start(seconds) {
    clearTimeout(warnTimer);
    clearInterval(tick);
    // One second of grace so the page never reloads just before the server's limit.
    deadline = Date.now() + (seconds + 1) * 1000;
    if (seconds <= warning) {
      warnTimer = setTimeout(warn, 0);
    } else {
      warnTimer = setTimeout(warn, (seconds - warning) * 1000);
    }
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
        announced = null;
        start(answer.seconds_left);
      })
      .catch(leave);
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
