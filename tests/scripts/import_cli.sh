#!/usr/bin/env bash
# `schoolyard import KIND FILE [--dry-run]` against a private SQLite data dir: the dry run writes
# nothing, the import writes everything, a second import changes nothing, a bad file writes
# nothing (exit 1), usage errors exit 2, and the progress bar appears on a terminal only.
source "$(dirname "$0")/lib.sh"
export SCHOOLYARD_DATA_DIR="$TMP/data"
"$SY_BINARY" migrate >/dev/null

cat >"$TMP/students.csv" <<'CSV'
admission_no,username,full_name,class_name,year,guardian_username,guardian_email
A1,nia,Nia Obi,7A,2026,papa.obi,papa@example.org
A2,olu,Olu Obi,7A,2026,papa.obi,
CSV

out=$("$SY_BINARY" import students "$TMP/students.csv" --dry-run) || fail "dry run exited $?: $out"
grep -q "2 created, 0 updated, 0 unchanged, 0 with errors (dry run: nothing was written)" <<<"$out" || fail "dry run report: $out"
grep -q "password" <<<"$out" && fail "a dry run must show no password: $out"
n=$("$SY_BINARY" admin list-users | grep -c '\bnia\b' || true)
[ "$n" = 0 ] || fail "the dry run wrote nia"
pass "dry run reports and writes nothing"

out=$("$SY_BINARY" import students "$TMP/students.csv") || fail "import exited $?: $out"
grep -q "2 created, 0 updated, 0 unchanged, 0 with errors (imported)" <<<"$out" || fail "import report: $out"
[ "$(grep -c 'password: ' <<<"$out")" = 3 ] || fail "three new accounts with passwords expected: $out"
"$SY_BINARY" admin list-users | grep -q '\bpapa.obi\b' || fail "guardian not created"
pass "import creates students and guardians"

out=$("$SY_BINARY" import students "$TMP/students.csv") || fail "re-import exited $?: $out"
grep -q "0 created, 0 updated, 2 unchanged, 0 with errors" <<<"$out" || fail "re-import is not idempotent: $out"
pass "re-import changes nothing"

printf 'username,full_name,date_of_birth\nnew.kid,New Kid,2013-02-30\nfine.kid,Fine Kid,\n' >"$TMP/bad.csv"
set +e
out=$("$SY_BINARY" import students "$TMP/bad.csv" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || fail "a file with a bad row must exit 1, got $rc: $out"
grep -q "line 2	error	new.kid	date_of_birth must be a date" <<<"$out" || fail "row error not reported: $out"
"$SY_BINARY" admin list-users | grep -q '\bfine.kid\b' && fail "a good row of a bad file was written"
pass "a bad row: nothing written, exit 1"

set +e
"$SY_BINARY" import wizards "$TMP/students.csv" >/dev/null 2>&1; rc1=$?
"$SY_BINARY" import students "$TMP/missing.csv" >/dev/null 2>&1; rc2=$?
"$SY_BINARY" import students >/dev/null 2>&1; rc3=$?
set -e
[ "$rc1" = 2 ] && [ "$rc2" = 2 ] && [ "$rc3" = 2 ] || fail "usage errors must exit 2 (got $rc1 $rc2 $rc3)"
pass "usage errors exit 2"

# On a terminal (script(1) gives the command a pty) the bar is drawn; through a pipe it is not.
"$SY_BINARY" import classes /dev/stdin --dry-run <<<$'class_name,year\n9A,2026' | grep -q 'checking' &&
  fail "progress bar written to a pipe"
if command -v script >/dev/null; then
  printf 'class_name,year\n9A,2026\n9B,2026\n' >"$TMP/classes.csv"
  tty_out=$(script -qec "'$SY_BINARY' import classes '$TMP/classes.csv'" /dev/null)
  grep -q 'importing \[#' <<<"$tty_out" || fail "no progress bar on a terminal: $tty_out"
  grep -q "2 created" <<<"$tty_out" || fail "terminal import report: $tty_out"
  pass "progress bar on a terminal only"
fi
