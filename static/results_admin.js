// The publish form's "visible at" is the admin's local date and time: the browser knows the time
// zone, so it sends the instant in UTC (visible_at_utc); without script the server reads it as UTC.
document.getElementById('publish-form').addEventListener('submit', function () {
  var v = document.getElementById('visible-at').value;
  if (v) document.getElementById('visible-at-utc').value = new Date(v).toISOString();
});
