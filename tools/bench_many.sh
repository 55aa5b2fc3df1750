#!/usr/bin/env bash
# Issue 13's many-queue benchmark: times `queuecast forecast --queue ID... --export-dir D` (the
# release build) over N queues of the sandbox's simulated contact centre (`queuecast sandbox
# --queues N`: voice, chat, email and message queues with rosters), served over HTTP on
# loopback, at hourly and 15-minute buckets; prints wall time, peak RSS (/usr/bin/time -v) and
# how many queues were exported. The "Public data" queues are left out: their replayed series
# are hourly or half-hourly and rightly refuse 15-minute queries.
#
# Issue 13's targets on 2 cores with the default `auto` model: <= 60 s hourly, <= 3 min at
# 15 minutes, peak memory <= 300 MB (500 queues, 90 days).
#
# Usage: tools/bench_many.sh [QUEUES] [DAYS]
#   QUEUES  simulated queues, defaults to 500
#   DAYS    days of history per queue, defaults to 90
# Env: QUEUECAST_BIN (default target/release/queuecast, built with `cargo build --release`
#        when missing or older than the sources),
#      QUEUECAST_ARGS (extra forecast flags, e.g. "--model seasonal-naive" or "--jobs 1"),
#      GRANULARITIES (default "PT1H PT15M").
#
# The lead's run, on a quiet machine:
#   tools/bench_many.sh 500 90
# A quick check that it works (about a minute on a loaded 2-core machine):
#   QUEUECAST_ARGS="--model seasonal-naive" tools/bench_many.sh 50 28
#
# Exit status: 0 when every granularity exported every queue, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
QUEUES=${1:-500}
DAYS=${2:-90}
GRANULARITIES=${GRANULARITIES:-PT1H PT15M}
ZONE=America/New_York # the sandbox's contact-centre zone (sandbox::DEFAULT_TIME_ZONE)
OUT=$(mktemp -d)
SANDBOX_PID=
cleanup() {
  if [[ -n "$SANDBOX_PID" ]]; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
  rm -rf "$OUT"
}
trap cleanup EXIT

BIN=${QUEUECAST_BIN:-target/release/queuecast}
if [[ -z "${QUEUECAST_BIN:-}" ]]; then
  if [[ ! -x "$BIN" ]] || [[ -n "$(find src Cargo.toml Cargo.lock assets -newer "$BIN" -print -quit)" ]]; then
    echo "building the release binary (cargo build --release)..." >&2
    cargo build --release --quiet
  fi
fi
read -r -a EXTRA <<<"${QUEUECAST_ARGS:-}"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" sandbox --port "$PORT" --queues "$QUEUES" >"$OUT/sandbox.log" 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 600); do
  grep -q "base URL" "$OUT/sandbox.log" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$OUT/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "base URL" "$OUT/sandbox.log" || { echo "the sandbox did not start" >&2; exit 1; }
export GENESYSCLOUD_API_BASE="http://127.0.0.1:$PORT"
export GENESYSCLOUD_OAUTHCLIENT_ID=queuecast-sandbox-demo
export GENESYSCLOUD_OAUTHCLIENT_SECRET=sandbox-not-a-real-secret
export QUEUECAST_CONFIG="$OUT/no-config.toml" QUEUECAST_DATA_DIR="$OUT/data"

# The simulated queues' ids: `queuecast queues` prints NAME  ID rows and a count line.
"$BIN" queues >"$OUT/queues.txt"
ARGS=()
while read -r id; do
  ARGS+=(--queue "$id")
done < <(sed '1d;$d' "$OUT/queues.txt" | grep -v '^Public data' | awk '{print $NF}')
if (( ${#ARGS[@]} / 2 != QUEUES )); then
  echo "expected $QUEUES simulated queues, the sandbox lists $(( ${#ARGS[@]} / 2 ))" >&2
  exit 1
fi

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty'), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $QUEUES queues x $DAYS days," \
  "args: ${QUEUECAST_ARGS:-(default auto)}"
printf '%-6s %10s %12s %12s %10s %s\n' BUCKET WALL_S CLIENT_CPU_S PEAK_RSS_MB EXPORTED EXIT
status=0
for g in $GRANULARITIES; do
  rm -rf "$OUT/export" "$OUT/data"
  set +e
  /usr/bin/time -v -o "$OUT/time.txt" "$BIN" forecast "${ARGS[@]}" --export-dir "$OUT/export" \
    --days "$DAYS" --granularity "$g" --time-zone "$ZONE" "${EXTRA[@]}" \
    >"$OUT/table.txt" 2>"$OUT/err.txt"
  code=$?
  set -e
  t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/time.txt")
  r=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$OUT/time.txt")
  # The client's own CPU (user + system): the rest of the wall time is the sandbox serving
  # the simulated org on the same two cores, and waiting.
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$OUT/time.txt")
  exported=$(find "$OUT/export" -name '*.json' ! -name index.json 2>/dev/null | wc -l)
  printf '%-6s %10s %12s %12s %10s %s\n' "$g" "$t" "$cpu" "$r" "$exported" "$code"
  if (( code != 0 || exported != QUEUES )); then
    status=1
    tail -3 "$OUT/err.txt" >&2
    grep -m3 FAILED "$OUT/table.txt" >&2 || true
  fi
done
exit "$status"
