#!/usr/bin/env bash
# ./dev itself: when a step fails it says which and why, shows the failing service's log, exits
# non-zero and keeps the run's logs. Runs the real `./dev test` nested (it is usually running
# already): SY_DEV_PREBUILT makes the nested run reuse this build without setup or rebuild;
# its services, temp dirs and kept logs are its own. Failures are made with shims earlier on PATH.
source "$(dirname "$0")/lib.sh"
SRC=${SY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=$(cd "$(dirname "$SY_BINARY")" && pwd)
[[ -f $BUILD/CTestTestfile.cmake ]] || fail "$BUILD is not a configured build folder"
if [[ -n ${SY_DEV_SELFTEST:-} ]]; then echo "skip: already inside the ./dev self-test"; exit 0; fi

# run_dev NAME SHIMDIR: `./dev test -R ^core$` with SHIMDIR first on PATH; output in $TMP/NAME.out,
# exit status in RC, kept logs under $TMP/NAME.logs
run_dev() {
  RC=0
  env PATH="$2:$PATH" SHIM_STATE="${SHIM_STATE:-}" SY_DEV_PREBUILT="$BUILD" SY_TEST_LOG_ROOT="$TMP/$1.logs" SY_DEV_SELFTEST=1 \
    timeout 180 "$SRC/dev" test -R '^core$' >"$TMP/$1.out" 2>&1 </dev/null || RC=$?
  echo "--- ./dev test ($1): status $RC"
  cat "$TMP/$1.out"
}
# shim DIR NAME LINE [STATUS]: an executable NAME in DIR that prints LINE and exits STATUS (1)
shim() {
  mkdir -p "$1"
  printf '#!/bin/sh\necho "%s"\nexit %s\n' "$3" "${4:-1}" >"$1/$2"
  chmod +x "$1/$2"
}
expect_out() {  # expect_out NAME PATTERN WHAT
  grep -qE -- "$2" "$TMP/$1.out" || fail "$1: the output does not show $3 (/$2/)"
}
kept_logs() {  # kept_logs NAME: the one kept-logs folder of that run, named in its output
  local d
  d=$(find "$TMP/$1.logs" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -1)
  [[ -n $d && -d $d ]] || fail "$1: no kept-logs folder under $TMP/$1.logs"
  grep -qF "$d" "$TMP/$1.out" || fail "$1: the kept-logs path $d is not printed"
  echo "$d"
}

# 1. mariadb-install-db fails: MariaDB named, its log line shown, status non-zero, logs kept.
shim "$TMP/shim1" mariadb-install-db "SHIM-INSTALL-DB: cannot create the system tables (dev_selftest)"
run_dev install_db "$TMP/shim1"
[[ $RC != 0 && $RC != 124 ]] || fail "install_db: ./dev test exited with $RC"
expect_out install_db 'MariaDB did not start' "which service failed"
expect_out install_db 'SHIM-INSTALL-DB: cannot create' "the install log's last lines"
d=$(kept_logs install_db)
grep -q SHIM-INSTALL-DB "$d/mariadb-install.log" || fail "install_db: $d/mariadb-install.log lacks the shim's line"
pass "mariadb-install-db failing: named, log shown, status $RC, logs kept in $d"

# 2. mariadbd exits at once: reported without waiting out the start timeout, with its output.
shim "$TMP/shim2" mariadbd "SHIM-MARIADBD: Can't start server: Bind on TCP/IP port: Address already in use"
start=$SECONDS
run_dev mariadbd "$TMP/shim2"
[[ $RC != 0 && $RC != 124 ]] || fail "mariadbd: ./dev test exited with $RC"
((SECONDS - start < 50)) || fail "mariadbd: took $((SECONDS - start)) s to notice a server that exited"
expect_out mariadbd 'MariaDB did not start: mariadbd exited' "that mariadbd exited"
expect_out mariadbd 'SHIM-MARIADBD' "mariadbd's output"
expect_out mariadbd 'hint: a port is in use' "the hint for a port in use"
kept_logs mariadbd >/dev/null
pass "mariadbd failing: named, output and hint shown"

# 3. Node too old: what was found and what is needed, before any service starts.
mkdir -p "$TMP/shim3"
printf '#!/bin/sh\necho v16.20.2\n' >"$TMP/shim3/node"
chmod +x "$TMP/shim3/node"
run_dev node "$TMP/shim3"
[[ $RC != 0 ]] || fail "node: ./dev test passed with node 16"
expect_out node 'node v16\.20\.2 found .*need node >=' "the Node version found and needed"
expect_out node 'apt-get install nodejs' "how to get a newer Node"
grep -q 'MariaDB on' "$TMP/node.out" && fail "node: services were started with a Node that is too old"
pass "node too old: found and needed versions named"

# 4. Services start (on loopback, no name resolution); a failing command is named by the ERR trap
#    with its line; the run's service logs are kept. ctest is a shim (the real one would write
#    into this build's Testing/ folder, which the outer run is using).
cat >"$TMP/shim4-ctest" <<'EOF'
#!/bin/sh
echo "SHIM-CTEST: MariaDB at $SY_TEST_MYSQL_URL, S3 at $SY_TEST_S3_ENDPOINT"
echo "$SY_TEST_MYSQL_PID $SY_TEST_TMP" >"$SHIM_STATE"
mariadb --no-defaults -S "$SY_TEST_MYSQL_SOCKET" -uroot -e 'select 1' >/dev/null || { echo "SHIM-CTEST: no MariaDB"; exit 4; }
curl -fsS -o /dev/null "$SY_TEST_S3_ENDPOINT/" || { echo "SHIM-CTEST: no s3rver"; exit 4; }
exit 3
EOF
mkdir -p "$TMP/shim4" && mv "$TMP/shim4-ctest" "$TMP/shim4/ctest" && chmod +x "$TMP/shim4/ctest"
SHIM_STATE=$TMP/shim4.state run_dev errtrap "$TMP/shim4"
[[ $RC != 0 ]] || fail "errtrap: ./dev test passed"
expect_out errtrap 'SHIM-CTEST: MariaDB at mysql://[^ ]*@127\.0\.0\.1:[0-9]+/' "that the services started"
expect_out errtrap 'failed during: running the tests' "the failing step"
expect_out errtrap '`ctest .*` \(./dev line [0-9]+\) exited with status 3' "the failing command, its line and status"
d=$(kept_logs errtrap)
[[ -f $d/mariadb-error.log && -f $d/s3rver.log ]] || fail "errtrap: service logs not kept in $d: $(ls "$d")"
pass "ERR trap names the command and line; service logs kept"

# The nested run stopped its services and removed its temp folder.
read -r mpid svcdir <"$TMP/shim4.state" || fail "errtrap: the ctest shim did not run"
kill -0 "$mpid" 2>/dev/null && fail "errtrap: the nested run left mariadbd ($mpid) running"
[[ -e $svcdir ]] && fail "errtrap: the nested run left $svcdir behind"
pass "the nested run stopped its services and removed $svcdir"
echo "dev_selftest: all passed"
