/* The emailed link carries the ballot reference in the fragment (#ref=...), which browsers never
   send to the server: copy it into the form, then remove it from the address bar and history.
   Without JavaScript the voter types the reference, as the email says. */
(function () {
  "use strict";
  var match = /(?:^#|&)ref=([0-9A-Za-z-]{1,30})/.exec(window.location.hash);
  if (!match) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.getElementById("id_reference");
    if (field && !field.value) { field.value = match[1]; }
    var code = document.getElementById("id_code");
    if (code) { code.focus(); }
  });
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
})();
