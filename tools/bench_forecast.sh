#!/usr/bin/env bash
# Times whole processes side by side: queuecast's forecast vs Python Prophet on the same CSV.
# Prints per-tool median wall time, the ratio, and peak RSS (from /usr/bin/time -v).
#
# Usage: tools/bench_forecast.sh [CSV] [RUNS]
#   CSV   defaults to the committed 90-day hourly synthetic series
#   RUNS  defaults to 7
# Env: PYTHON (default python3, needs `pip install prophet`),
#      QUEUECAST_BIN (default target/release/queuecast, built if missing),
#      QUEUECAST_ARGS (extra flags, e.g. "--model prophet-seed" to time one model instead of the
#      default `auto` tournament),
#      QUEUECAST_PROPHET_ENGINE=wasmstan (with a `--features wasmstan` build in QUEUECAST_BIN:
#      time Stan-in-wasm instead of the native optimizer).
set -euo pipefail
cd "$(dirname "$0")/.."
CSV=${1:-tests/fixtures/synthetic_contact_centre_90d_hourly.csv}
RUNS=${2:-7}
PYTHON=${PYTHON:-python3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

BIN=${QUEUECAST_BIN:-target/release/queuecast}
[[ -x "$BIN" ]] || cargo build --release >/dev/null
read -r -a EXTRA <<<"${QUEUECAST_ARGS:-}"
QC=("$BIN" forecast --input "$CSV" --export "$OUT/qc.json" "${EXTRA[@]}")
QC_NAME="queuecast forecast --input ${QUEUECAST_ARGS:-}${QUEUECAST_PROPHET_ENGINE:+ [engine $QUEUECAST_PROPHET_ENGINE]}"
PY=("$PYTHON" tools/reference_forecast.py --input "$CSV" --export "$OUT/py.json")

# run NAME CMD...: RUNS timed runs, prints "median_seconds max_rss_kb"
run() {
  local times=() rss=0 t r
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }
    t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/time.txt")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time.txt")
    times+=("$t"); (( r > rss )) && rss=$r
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v rss="$rss" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m, rss}'
}

echo "input: $CSV ($(($(wc -l <"$CSV") - 1)) rows), $RUNS runs each"
read -r qc_t qc_rss < <(run "${QC[@]}")
read -r py_t py_rss < <(run "${PY[@]}")
printf '%-60s median %7.3f s  peak RSS %7.1f MB\n' "$QC_NAME" "$qc_t" "$(echo "$qc_rss/1024" | bc -l)"
printf '%-60s median %7.3f s  peak RSS %7.1f MB\n' "Python prophet (tools/reference_forecast.py)" "$py_t" "$(echo "$py_rss/1024" | bc -l)"
printf 'speed-up: %.1fx\n' "$(echo "$py_t/$qc_t" | bc -l)"
