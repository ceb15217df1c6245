// Live pages without reloading: the photo upload with a progress bar, the student's photo status
// and the class yearbook. Updates come as server-sent events (EventSource); when a stream cannot
// be opened or is refused (too many open tabs), the same state is polled as JSON instead. Every
// text from the server is set with textContent, never parsed as HTML, except the yearbook grid,
// which is the server's own escaped page fetched again.
(function () {
  'use strict';

  // Calls onState(state) with each new state (JSON) of a stream, or of its polling fallback.
  function follow(eventsUrl, pollUrl, eventName, onState) {
    var last = null;
    var polling = false;
    function take(text) {
      var state;
      try { state = JSON.parse(text); } catch (e) { return; }
      var key = JSON.stringify(state);
      if (key === last) return;
      last = key;
      onState(state);
    }
    function poll() {
      if (polling) return;
      polling = true;
      (function tick() {
        fetch(pollUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (t) { if (t) take(t); })
          .catch(function () {})
          .then(function () { setTimeout(tick, 5000); });
      })();
    }
    if (!window.EventSource) return poll();
    var es = new EventSource(eventsUrl);
    es.addEventListener(eventName, function (e) { take(e.data); });
    es.addEventListener('end', function () { es.close(); });
    es.onerror = function () {
      // CLOSED: refused (an error status, e.g. 429 past the stream limit); otherwise the browser
      // reconnects by itself (a restarting server ends streams on purpose).
      if (es.readyState === EventSource.CLOSED) poll();
    };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // The student's photo: processing → waiting for approval → published, or why not.
  function photoStatus(box) {
    function show(s) {
      box.textContent = '';
      box.setAttribute('data-current', s.state);
      if (s.thumb) {
        var fig = el('figure', 'photo-me');
        var img = el('img');
        img.src = s.thumb;
        img.alt = 'Your current photo';
        img.width = 320;
        fig.appendChild(img);
        box.appendChild(fig);
      }
      var bad = s.state === 'failed' || s.state === 'rejected';
      var p = el('p', 'status' + (bad ? ' error' : s.state === 'published' ? ' ok' : ''), s.message);
      p.setAttribute('data-state', s.state);
      box.appendChild(p);
    }
    follow('/api/v1/events/photo', '/api/v1/me/photo/status', 'photo', show);
    return show;
  }

  // Upload through the API with XHR, whose upload events drive the progress bar.
  function upload(form, showStatus) {
    var bar = document.getElementById('upload-progress');
    var msg = document.getElementById('upload-message');
    var errors = {};
    try { errors = JSON.parse(form.getAttribute('data-errors') || '{}'); } catch (e) {}
    function say(text) { msg.textContent = text; msg.hidden = !text; }
    function friendly(status, body) {
      var err = (body && body.error) || {};
      var code = err.code || '';
      if (code === 'invalid_image' && /more than .*pixels/.test(err.message || '')) code = 'too_many_pixels';
      if (status === 413) code = 'too_large';
      return errors[code] || err.message || 'The upload failed (HTTP ' + status + '). Please try again.';
    }
    form.addEventListener('submit', function (ev) {
      if (!window.FormData || !window.XMLHttpRequest) return;  // the plain form still works
      ev.preventDefault();
      var button = form.querySelector('button[type=submit]');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('data-api'));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', form.querySelector('input[name=_csrf]').value);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.upload.onload = function () { bar.value = 100; };  // every byte is sent; now the server works
      xhr.onload = function () {
        button.disabled = false;
        bar.hidden = true;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) {}
        if (xhr.status === 202) {
          say('');
          form.reset();
          showStatus({ state: 'processing', message: 'Processing your photo…' });
        } else {
          say(friendly(xhr.status, body));
        }
      };
      xhr.onerror = function () {
        button.disabled = false;
        bar.hidden = true;
        say('The upload did not reach the server. Check your connection and try again.');
      };
      say('');
      bar.value = 0;
      bar.hidden = false;
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  // The class yearbook: when its version changes, fetch the page again and swap the grid.
  function yearbook(grid) {
    var id = grid.getAttribute('data-live-yearbook');
    var note = document.getElementById('yb-live');
    // A page fetched a moment too early (a read replica behind) is fetched again, a few times.
    function refresh(version, tries) {
      fetch(location.pathname, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-live-yearbook]');
          if (!fresh) return;
          grid.innerHTML = fresh.innerHTML;
          grid.setAttribute('data-version', fresh.getAttribute('data-version'));
          if (note) note.textContent = 'Updated just now.';
          if (Number(fresh.getAttribute('data-version')) < version && tries > 0)
            setTimeout(function () { refresh(version, tries - 1); }, 1000);
        })
        .catch(function () {});
    }
    follow('/api/v1/events/yearbook/' + id, '/api/v1/yearbook/' + id + '/state', 'yearbook', function (s) {
      if (String(s.version) !== grid.getAttribute('data-version')) refresh(s.version, 3);
    });
  }

  var box = document.querySelector('[data-live-photo]');
  var show = box ? photoStatus(box) : null;
  var form = document.getElementById('upload');
  if (form && show) upload(form, show);
  var grid = document.querySelector('[data-live-yearbook]');
  if (grid) yearbook(grid);
})();
