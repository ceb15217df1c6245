#!/usr/bin/env bash
# deploy/compose without a container engine: compose.yaml, nginx.conf, the Dockerfile and
# .dockerignore are checked against CONTRACT.md / docs/configuration.md and hadolint-like rules
# (tests/scripts/compose_check.py); then each rule is broken once in memory and must notice
# (--self-test). With the built binary, the runtime stage's package list is also checked against
# the libraries the binary links (readelf + ldd + dpkg -S).
set -euo pipefail
ROOT=${SY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
fail() { echo "FAIL deploy_compose: $*" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is needed (./dev setup test installs it)"
args=("$ROOT" --self-test)
if [[ -n ${SY_BINARY:-} && -x ${SY_BINARY} ]]; then args+=("--binary=$SY_BINARY"); fi
python3 "$ROOT/tests/scripts/compose_check.py" "${args[@]}" || fail "deploy/compose does not pass its checks (lines above)"
