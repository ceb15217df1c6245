# Helpers for the pipeline drills (tests/scripts/pipeline_*.sh) and bench/pipeline.sh; sourced
# after tests/scripts/lib.sh (TMP, PIDS, fail, free_port, wait_http, start_server).
PY=/usr/bin/python3

# make_photo FILE W H [SEED]: a photo-like JPEG (noise over gradients; compresses like a photo).
make_photo() {
  $PY - "$@" <<'PYEOF'
import sys
import numpy as np
from PIL import Image
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
rng = np.random.default_rng(seed)
x = (np.arange(w, dtype=np.uint32) * 200 // w).astype(np.uint8)
y = (np.arange(h, dtype=np.uint32) * 200 // h).astype(np.uint8)
img = rng.integers(0, 48, size=(h, w, 3), dtype=np.uint8)
img[:, :, 0] += x[None, :]
img[:, :, 1] += y[:, None]
img[:, :, 2] += np.uint8(seed * 37 % 200)
Image.fromarray(img).save(path, quality=90)
PYEOF
}

# add_student NAME PASSWORD (uses the SCHOOLYARD_* environment of the caller)
add_student() {
  printf '%s\n' "$2" | "$SY_BINARY" admin create-user --username "$1" --role student --full-name "$1" \
    --password-stdin >/dev/null || fail "create-user $1"
}

# login NAME PASSWORD: prints "COOKIE CSRF"
login() {
  local h="$TMP/login.$1.h" j="$TMP/login.$1.json" code
  code=$(curl -s -D "$h" -o "$j" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$BASE/api/v1/session")
  [[ $code == 200 ]] || fail "login $1 answered $code: $(cat "$j")"
  local cookie csrf
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$h" | head -1 | tr -d '\r')
  csrf=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$j")
  echo "$cookie $csrf"
}

# upload "COOKIE CSRF" FILE: prints the photo id
upload() {
  local cookie=${1% *} csrf=${1#* } out
  out=$(curl -s -w ' %{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
    -F "photo=@$2;type=application/octet-stream" "$BASE/api/v1/me/photo")
  [[ $out == *' 202' ]] || fail "upload answered: $out"
  $PY -c 'import json,sys; print(json.loads(sys.argv[1].rsplit(" ",1)[0])["photo_id"])' "$out"
}

# my_photo "COOKIE CSRF": prints the GET /api/v1/me/photo body
my_photo() { curl -s -H "Cookie: ${1% *}" "$BASE/api/v1/me/photo"; }

# jobs_json: every job as one JSON object per line
jobs_json() { "$SY_BINARY" jobs list --json --limit 1000; }

# jobs_field EXPR: evaluates a Python expression over `jobs` (list of dicts) and prints it
jobs_field() { jobs_json | $PY -c "import json,sys; jobs=[json.loads(l) for l in sys.stdin if l.strip()]; print($1)"; }

# wait_jobs EXPR SECONDS: waits until the Python expression over `jobs` is true
wait_jobs() {
  local t=$2
  for _ in $(seq $((t * 5))); do
    [[ $(jobs_field "$1") == True ]] && return 0
    sleep 0.2
  done
  return 1
}

# fresh_mysql_url BASE_URL NAME: creates an empty database next to BASE_URL's and prints its URL
fresh_mysql_url() {
  $PY - "$1" "$2" <<'PYEOF'
import re, subprocess, sys
m = re.match(r"mysql://([^:]+):([^@]+)@([^:/]+):(\d+)/(.+)", sys.argv[1])
user, pw, host, port, _ = m.groups()
name = sys.argv[2]
subprocess.run(["mariadb", "--no-defaults", "-h", host, "-P", port, "-u", user, "-p" + pw, "-e",
                f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"],
               check=True)
print(f"mysql://{user}:{pw}@{host}:{port}/{name}")
PYEOF
}

# The database URLs a drill runs on: SQLite always; MariaDB when ./dev test provides one (in full
# mode it must).
drill_databases() {
  echo "sqlite://$TMP/drill.db"
  if [[ -n ${SY_TEST_MYSQL_URL:-} ]]; then
    fresh_mysql_url "$SY_TEST_MYSQL_URL" "sy_drill_$$_$RANDOM"
  elif [[ ${SY_TEST_MODE:-} == full ]]; then
    fail "SY_TEST_MYSQL_URL must be set in full mode"
  fi
}

# drop_mysql_url URL: removes a database made by fresh_mysql_url
drop_mysql_url() {
  $PY - "$1" <<'PYEOF'
import re, subprocess, sys
user, pw, host, port, name = re.match(r"mysql://([^:]+):([^@]+)@([^:/]+):(\d+)/(.+)", sys.argv[1]).groups()
subprocess.run(["mariadb", "--no-defaults", "-h", host, "-P", port, "-u", user, "-p" + pw, "-e",
                f"DROP DATABASE IF EXISTS {name}"], check=False)
PYEOF
}
