// The QR code on an RSVP email opens this page with the code in the fragment (#code=ABCD-1234):
// browsers never send the fragment to the server, so the code reaches no log. Copy it into the
// code field; the organiser still presses "Check in this code".
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var match = /[#&]code=([0-9A-Za-z-]{1,20})/.exec(window.location.hash);
    var field = document.querySelector("input[name=code]");
    if (!match || !field) { return; }
    field.value = match[1];
    history.replaceState(null, "", window.location.pathname + window.location.search);
    field.focus();
  });
})();
