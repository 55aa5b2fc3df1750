#!/usr/bin/env bash
# Times `queuecast forecast --all --export-dir D` (restricted to the generated queues with
# --queue 'Bench*': the sandbox's bundled series are hourly and half-hourly and rightly refuse
# 15-minute queries) over many simulated queues served by the sandbox over HTTP, at hourly and 15-minute buckets; prints wall time, peak RSS (from
# /usr/bin/time -v) and how many queues were exported. Issue 13's targets on 2 cores with the
# default `auto` model: <= 60 s hourly, <= 3 min at 15 minutes, peak memory <= 300 MB.
#
# Usage: tools/bench_many.sh [QUEUES] [DAYS]
#   QUEUES  defaults to 500
#   DAYS    days of history per queue, defaults to 90
# Env: QUEUECAST_BIN (default target/release/queuecast, built if missing),
#      QUEUECAST_ARGS (extra forecast flags, e.g. "--model seasonal-naive" or "--jobs 1"),
#      GRANULARITIES (default "PT1H PT15M").
#
# The queues are `queuecast sandbox --queue NAME=FILE.csv` files generated here (15-minute
# counts with an intraday double peak, a weekly shape and per-queue scale and noise) until the
# sandbox has a flag for a generated contact centre of N queues; each CSV ends at the current
# hour once the sandbox places it on today's calendar.
set -euo pipefail
cd "$(dirname "$0")/.."
QUEUES=${1:-500}
DAYS=${2:-90}
GRANULARITIES=${GRANULARITIES:-PT1H PT15M}
OUT=$(mktemp -d)
SANDBOX_PID=
cleanup() {
  [[ -n "$SANDBOX_PID" ]] && kill "$SANDBOX_PID" 2>/dev/null
  rm -rf "$OUT"
}
trap cleanup EXIT

BIN=${QUEUECAST_BIN:-target/release/queuecast}
[[ -x "$BIN" ]] || cargo build --release >/dev/null
read -r -a EXTRA <<<"${QUEUECAST_ARGS:-}"

# One CSV per queue: DAYS days of 15-minute buckets ending now (local wall-clock time).
mkdir -p "$OUT/csv"
START=$(date -u -d "@$(( $(date +%s) / 900 * 900 - DAYS * 86400 ))" +%s)
awk -v n="$QUEUES" -v days="$DAYS" -v start="$START" -v dir="$OUT/csv" 'BEGIN {
  srand(13);
  pi = 3.14159265;
  for (q = 1; q <= n; q++) {
    f = sprintf("%s/q%04d.csv", dir, q);
    scale = 2 + 40 * rand();
    print "ds,y" > f;
    for (i = 0; i < days * 96; i++) {
      t = start + i * 900;
      h = (t % 86400) / 3600;
      dow = int(t / 86400 + 4) % 7;            # 0 = Sunday
      day = (h >= 8 && h < 20) ? exp(-((h - 10.5) ^ 2) / 3) + 0.8 * exp(-((h - 15) ^ 2) / 4) : 0.05;
      week = (dow == 0) ? 0.3 : (dow == 6 ? 0.6 : 1);
      lambda = scale * day * week;
      y = int(lambda + sqrt(lambda + 0.01) * (rand() + rand() + rand() - 1.5) + 0.5);
      if (y < 0) y = 0;
      print strftime("%Y-%m-%dT%H:%M:%S", t, 1) "," y > f;
    }
    close(f);
  }
}'
ARGS=()
for f in "$OUT"/csv/*.csv; do
  ARGS+=(--queue "Bench $(basename "$f" .csv)=$f")
done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" sandbox --port "$PORT" "${ARGS[@]}" >"$OUT/sandbox.log" 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 600); do
  grep -q "base URL" "$OUT/sandbox.log" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$OUT/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
export GENESYSCLOUD_API_BASE="http://127.0.0.1:$PORT"
export GENESYSCLOUD_OAUTHCLIENT_ID=queuecast-sandbox-demo
export GENESYSCLOUD_OAUTHCLIENT_SECRET=sandbox-not-a-real-secret
export QUEUECAST_CONFIG="$OUT/no-config.toml" QUEUECAST_DATA_DIR="$OUT/data"

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty'), $(nproc) cores," \
  "$QUEUES queues x $DAYS days, args: ${QUEUECAST_ARGS:-(default auto)}"
printf '%-6s %10s %12s %10s %s\n' BUCKET WALL_S PEAK_RSS_MB EXPORTED EXIT
for g in $GRANULARITIES; do
  rm -rf "$OUT/export" "$OUT/data"
  set +e
  /usr/bin/time -v -o "$OUT/time.txt" "$BIN" forecast --queue 'Bench*' --export-dir "$OUT/export" \
    --days "$DAYS" --granularity "$g" --time-zone UTC "${EXTRA[@]}" \
    >"$OUT/table.txt" 2>"$OUT/err.txt"
  code=$?
  set -e
  t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/time.txt")
  r=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$OUT/time.txt")
  exported=$(find "$OUT/export" -name '*.json' ! -name index.json 2>/dev/null | wc -l)
  printf '%-6s %10s %12s %10s %s\n' "$g" "$t" "$r" "$exported" "$code"
  (( code == 0 )) || tail -3 "$OUT/err.txt" >&2
done
