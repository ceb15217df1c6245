#!/usr/bin/env bash
# deploy/aws (AWS CDK, TypeScript): `npm test` there — one assertion test per property of the
# seed's AWS design, and cdk-nag's AwsSolutions pack with no unexplained suppression. Needs no
# AWS account; runs on Node 18 (Debian 12's) or later.
set -euo pipefail
ROOT=${SY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DIR=$ROOT/deploy/aws
fail() { echo "FAIL deploy_aws: $*" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (./dev setup test installs them)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 18 ? 1 : 0)' || fail "Node 18 or later is needed, found $(node -v)"
LOG=$(mktemp "${SY_TEST_TMP:-/tmp}/deploy_aws.XXXXXX")
trap 'rm -f "$LOG"' EXIT
cd "$DIR"

# Install exactly the lockfile, again only when it changed since the last install.
STAMP=node_modules/.schoolyard-lock
if ! cmp -s package-lock.json "$STAMP" 2>/dev/null; then
  echo "deploy_aws: npm ci (deploy/aws/package-lock.json)"
  timeout 300 npm ci --no-audit --no-fund --loglevel=error >"$LOG" 2>&1 || { cat "$LOG" >&2; fail "npm ci in deploy/aws failed"; }
  cp package-lock.json "$STAMP"
fi

echo "deploy_aws: npm test on node $(node -v)"
if ! timeout 300 npm test >"$LOG" 2>&1; then
  grep -E -A30 '^not ok|error TS|^# (Error|TypeError)' "$LOG" >&2 || tail -60 "$LOG" >&2
  fail "npm test in deploy/aws failed (CDK assertions or cdk-nag findings above)"
fi
grep -E '^(ok|not ok) ' "$LOG"
grep -qE '^# fail 0$' "$LOG" || fail "npm test reported failures"
n=$(grep -cE '^ok ' "$LOG")
((n >= 15)) || fail "only $n tests ran"
echo "ok: deploy/aws — $n CDK tests passed"
