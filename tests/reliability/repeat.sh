#!/usr/bin/env bash
# Run the reliability suite N times in a row and record each run's result and time.
#
#   tests/reliability/repeat.sh 20                 # SQLite only (the PostgreSQL tests skip)
#   PERSONABOT_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
#     tests/reliability/repeat.sh 20               # on PostgreSQL
#
# One line per run (exit code, seconds, pytest's summary), then the totals; each run's
# full output is kept in $OUT (default: a fresh temporary directory).
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/reliability-runs.XXXXXX")}
passed=0
start=$(date +%s)
for i in $(seq 1 "$runs"); do
  began=$(date +%s)
  .venv/bin/pytest tests/reliability -p no:cacheprovider >"$out/run-$i.log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] && passed=$((passed + 1))
  echo "run $i: exit $rc, $(($(date +%s) - began)) s, $(grep -E ' in [0-9.]+s' "$out/run-$i.log" | tail -n 1)"
done
echo "$passed of $runs runs passed in $(($(date +%s) - start)) s (logs in $out)"
[ "$passed" -eq "$runs" ]
