// The marks grid (templates/marks_grid.mustache): keyboard moves between cells, a pasted
// spreadsheet column fills the cells from the focused one down, every mark is checked here with
// the server's rule (services/grading.cpp parse_mark) and saved by itself: a debounced batch PUT
// of the changed marks. A value that could not be saved stays in its cell and in the queue, and
// is sent again; nothing typed is dropped on a failure.
(function () {
  'use strict';
  var grid = document.getElementById('marks-grid');
  if (!grid) return;
  var state = document.getElementById('save-state');
  var locked = grid.getAttribute('data-locked') === '1';
  var id = grid.getAttribute('data-assessment');
  var maxX100 = parseInt(grid.getAttribute('data-max-x100'), 10);
  var csrf = grid.getAttribute('data-csrf');
  var pending = {};   // student id → text to save (marks)
  var comments = {};  // student id → text to save (report comments)
  var inFlight = false;
  var timer = null;

  function showState(kind, text) {
    if (!state) return;
    state.setAttribute('data-state', kind);
    state.textContent = text;
  }

  function formatX100(v) {
    var whole = Math.floor(v / 100), f = v % 100;
    if (f === 0) return String(whole);
    if (f % 10 === 0) return whole + '.' + (f / 10);
    return whole + '.' + (f < 10 ? '0' : '') + f;
  }

  // The server's rule: "" (remove), a/abs/absent, x/ex/exempt, or 0..max with at most 2 decimals
  // ("." or ","). Returns {text} to send, or {error}.
  function parseMark(raw) {
    var s = raw.trim().toLowerCase();
    if (s === '') return { text: '' };
    if (s === 'a' || s === 'abs' || s === 'absent') return { text: 'abs', shown: 'abs' };
    if (s === 'x' || s === 'ex' || s === 'exempt') return { text: 'ex', shown: 'ex' };
    var m = /^([0-9]+)(?:[.,]([0-9]+))?$/.exec(s);
    if (!m) return { error: '\u201c' + raw.trim() + '\u201d is not a mark: a number, a (absent) or x (exempt)' };
    if (m[2] && m[2].length > 2) return { error: 'a mark has at most 2 decimals' };
    if (m[1].length > 9) return { error: 'the mark is far too large' };
    var v = parseInt(m[1], 10) * 100 + (m[2] ? parseInt((m[2] + '0').slice(0, 2), 10) : 0);
    if (v > maxX100) return { error: 'above the maximum ' + formatX100(maxX100) };
    return { text: formatX100(v) };
  }

  function cells(cls) { return Array.prototype.slice.call(grid.querySelectorAll('input.' + cls)); }

  function setError(input, message) {
    var span = input.parentNode.querySelector('.cell-error');
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      if (span) { span.textContent = message; span.hidden = false; }
    } else {
      input.removeAttribute('aria-invalid');
      if (span) { span.textContent = ''; span.hidden = true; }
    }
  }

  function anyInvalid() { return grid.querySelector('input.mark[aria-invalid=true]') !== null; }

  function markChanged(input) {
    var r = parseMark(input.value);
    var sid = input.getAttribute('data-student');
    if (r.error) {
      setError(input, r.error);
      delete pending[sid];
      showState('error', 'Not saved: ' + r.error);
      return;
    }
    setError(input, '');
    pending[sid] = r.text;
    schedule(600);
  }

  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, ms);
    if (!inFlight) showState('saving', 'Saving\u2026');
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        if (!res.ok) throw new Error((j.error && j.error.message) || ('the server answered ' + res.status));
        return j;
      });
    });
  }

  function applySheet(sheet) {
    (sheet.students || []).forEach(function (s) {
      var row = grid.querySelector('tr[data-student="' + s.student_id + '"]');
      if (!row) return;
      var pct = row.querySelector('.pct'), grade = row.querySelector('.grade'), rank = row.querySelector('.rank');
      if (pct) pct.textContent = s.percent === null ? '' : s.percent;
      if (grade) grade.textContent = s.grade === null ? '' : s.grade;
      if (rank) rank.textContent = s.rank ? s.rank : '';
    });
  }

  function flush() {
    timer = null;
    if (inFlight) return;
    var marks = Object.keys(pending).map(function (sid) { return { student_id: parseInt(sid, 10), mark: pending[sid] }; });
    var notes = Object.keys(comments).map(function (sid) { return { sid: sid, text: comments[sid] }; });
    if (!marks.length && !notes.length) {
      if (!anyInvalid()) showState('saved', 'All changes saved');
      return;
    }
    inFlight = true;
    showState('saving', 'Saving\u2026');
    var sentMarks = {};
    marks.forEach(function (m) { sentMarks[m.student_id] = m.mark; });
    var jobs = [];
    if (marks.length) {
      jobs.push(request('PUT', '/api/v1/assessments/' + id + '/marks', { marks: marks }).then(function (sheet) {
        // Only what was sent and not typed over since leaves the queue.
        Object.keys(sentMarks).forEach(function (sid) { if (pending[sid] === sentMarks[sid]) delete pending[sid]; });
        applySheet(sheet);
      }));
    }
    notes.forEach(function (n) {
      jobs.push(request('PUT', '/api/v1/report-comments', {
        term_id: parseInt(grid.getAttribute('data-term'), 10),
        subject_id: parseInt(grid.getAttribute('data-subject'), 10),
        student_id: parseInt(n.sid, 10),
        comment: n.text
      }).then(function () { if (comments[n.sid] === n.text) delete comments[n.sid]; }));
    });
    Promise.all(jobs).then(function () {
      inFlight = false;
      if (Object.keys(pending).length || Object.keys(comments).length) return schedule(300);
      if (anyInvalid()) showState('error', 'Some marks are not valid and were not saved');
      else showState('saved', 'All changes saved');
    }, function (err) {
      inFlight = false;
      showState('error', 'Not saved: ' + err.message + ' \u2014 your entries are kept; trying again');
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, 5000);
    });
  }

  // Keyboard: Enter / ArrowDown next row, Shift+Enter / ArrowUp previous row, ArrowLeft/Right
  // between the mark and the comment (in a comment only at the text's edge).
  function move(input, dRow, dCol) {
    var cls = input.classList.contains('mark') ? 'mark' : 'comment';
    var list = cells(cls), i = list.indexOf(input);
    var target = null;
    if (dRow) target = list[i + dRow];
    if (dCol) {
      var other = cells(cls === 'mark' ? 'comment' : 'mark');
      if ((cls === 'mark' && dCol > 0) || (cls === 'comment' && dCol < 0)) target = other[i];
    }
    if (target) { target.focus(); target.select(); }
    return !!target;
  }

  grid.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t.tagName !== 'INPUT') return;
    var moved = false;
    if (e.key === 'Enter' || e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      moved = move(t, (e.key === 'ArrowUp' || (e.key === 'Enter' && e.shiftKey)) ? -1 : 1, 0);
      e.preventDefault();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      var atEdge = t.classList.contains('mark') ||
        (e.key === 'ArrowLeft' ? t.selectionStart === 0 && t.selectionEnd === 0 : t.selectionEnd === t.value.length);
      if (atEdge) { moved = move(t, 0, e.key === 'ArrowRight' ? 1 : -1); if (moved) e.preventDefault(); }
    }
  });

  // Typing replaces: a focused cell's value is selected.
  grid.addEventListener('focusin', function (e) { if (e.target.tagName === 'INPUT') e.target.select(); });

  grid.addEventListener('input', function (e) {
    var t = e.target;
    // A final assessment locks its marks, not its report comments.
    if (t.classList.contains('mark')) { if (!locked) markChanged(t); }
    else if (t.classList.contains('comment')) { comments[t.getAttribute('data-student')] = t.value; schedule(1200); }
  });

  // A column pasted from a spreadsheet: one value per line (the first field of a tab-separated
  // line), from the focused cell down; a single copied row counts as a column.
  grid.addEventListener('paste', function (e) {
    var t = e.target;
    if (locked || !t.classList || !t.classList.contains('mark')) return;
    var text = (e.clipboardData || window.clipboardData).getData('text');
    if (text.indexOf('\n') < 0 && text.indexOf('\t') < 0) return;  // one value: the browser pastes it
    e.preventDefault();
    var lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
    // A row copied across (one line of tab-separated cells) fills downwards too.
    if (lines.length === 1) lines = lines[0].split('\t');
    var list = cells('mark'), start = list.indexOf(t);
    lines.forEach(function (line, k) {
      var input = list[start + k];
      if (!input) return;
      input.value = line.split('\t')[0].trim();
      markChanged(input);
    });
    var last = list[Math.min(start + lines.length, list.length) - 1];
    if (last) last.focus();
  });

  window.addEventListener('beforeunload', function (e) {
    if (Object.keys(pending).length || Object.keys(comments).length || inFlight) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
})();
