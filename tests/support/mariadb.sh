# shellcheck shell=bash
# A private MariaDB server on loopback, shared by ./dev test and the drills that start their own
# (tests/scripts/pipeline_db_restart.sh). Sourced; defines functions only.
#
# No host-name resolution anywhere: minimal installs and cloud images often have a host name that
# does not resolve (no /etc/hosts entry, sometimes not even `localhost`). mariadb-install-db then
# refuses to run ("Neither host … nor 'localhost' could be looked up with resolveip") unless given
# --force, which skips only that check; --skip-name-resolve makes it and the server use IP
# addresses. Accounts are made for 127.0.0.1 and the root account is reached through the socket.

# mariadb_install DATADIR LOG: creates the system tables; all output goes to LOG.
mariadb_install() {
  mkdir -p "$1"
  mariadb-install-db --no-defaults --user=root --datadir="$1" --auth-root-authentication-method=socket \
    --skip-test-db --skip-name-resolve --force >"$2" 2>&1
}

# mariadb_serve DIR PORT ERRLOG OUTLOG [mariadbd options...]: starts mariadbd in the background on
# 127.0.0.1:PORT with datadir DIR/data and socket DIR/sock; its error log is ERRLOG, whatever it
# prints before opening that goes to OUTLOG. Sets MARIADB_PID.
mariadb_serve() {
  local dir=$1 port=$2 errlog=$3 outlog=$4
  shift 4
  mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$dir/pid" --log-error="$errlog" \
    --skip-log-bin --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@" \
    >>"$outlog" 2>&1 &
  # shellcheck disable=SC2034  # read by the caller
  MARIADB_PID=$!
}

# mariadb_wait DIR PID SECONDS: waits until the server on DIR/sock answers; fails at once if PID
# has exited (a server that cannot start says so in its log within a second, no need to wait).
mariadb_wait() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    mariadb --no-defaults -S "$1/sock" -uroot -e 'select 1' >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
