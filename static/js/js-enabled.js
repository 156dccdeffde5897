// Loaded synchronously as the first element of <body> (document.body must exist), so the
// GOV.UK JavaScript-dependent styles apply before first paint. External file: no inline JS.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
