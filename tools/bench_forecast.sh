#!/usr/bin/env bash
# Times whole processes side by side on one CSV, all in the same run: queuecast's `auto` default,
# each single model (`--model NAME`), Python Prophet (the seed's settings) and statsforecast MSTL
# (season lengths day and week, AutoETS 'ZZN' trend, as tools/peer_benchmark.py). Prints each
# tool's median wall time, its ratio to Python Prophet (how many times faster) and peak RSS
# (from /usr/bin/time -v). The before/after tool of issue 18; on a shared machine compare ratios
# measured in one run, and note the load it prints.
#
# Usage: tools/bench_forecast.sh [--profile] [CSV] [RUNS]
#   CSV        defaults to the committed 90-day hourly synthetic series; `synthetic:DAYS:MIN`
#              writes a synthetic contact-centre series of DAYS days at MIN-minute steps
#              (e.g. synthetic:365:15) to a temp file and times that
#   RUNS       defaults to 7
#   --profile  instead of timing: `perf record` one `auto` run (or QUEUECAST_ARGS's model) of a
#              build that keeps its symbols and print the top frames by self time:
#              PROFILE_BIN (default target/profiling/queuecast, `cargo build --profile
#              profiling`, built if missing; target/debug/queuecast works too: opt-level 2,
#              no LTO, debug assertions on)
# Env: PYTHON (default python3, needs prophet and statsforecast: see tools/peer_benchmark.py),
#      QUEUECAST_BIN (default target/release/queuecast, built if missing),
#      QUEUECAST_ARGS (extra flags for every queuecast run),
#      BEFORE_BIN (another queuecast build, e.g. main's: timed too, alternating run by run
#      with QUEUECAST_BIN so both see the same load, and listed as "(before)"),
#      MODELS (default: auto and every model `queuecast forecast --help` lists),
#      PEERS (default "prophet mstl"; empty to time queuecast alone),
#      QUEUECAST_PROPHET_ENGINE=wasmstan (with a `--features wasmstan` build in QUEUECAST_BIN:
#      time Stan-in-wasm instead of the native optimizer).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=0
if [[ "${1:-}" == "--profile" ]]; then
  PROFILE=1
  shift
fi
CSV=${1:-tests/fixtures/synthetic_contact_centre_90d_hourly.csv}
RUNS=${2:-7}
PYTHON=${PYTHON:-python3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [[ "$CSV" == synthetic:* ]]; then
  IFS=: read -r _ days minutes <<<"$CSV"
  CSV="$OUT/synthetic_${days}d_${minutes}min.csv"
  # The committed generator's hourly shape, each hour's mean spread evenly over its steps.
  "$PYTHON" - "$days" "$minutes" "$CSV" <<'EOF'
import sys
import numpy as np
sys.path.insert(0, "tools")
from reference_forecast import synthetic_contact_centre
days, minutes, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hourly = synthetic_contact_centre(days)
per_hour = 60 // minutes
rng = np.random.RandomState(7)
ds = np.repeat(hourly["ds"].to_numpy(), per_hour) + np.tile(
    np.arange(per_hour) * np.timedelta64(minutes, "m"), len(hourly))
y = rng.poisson(np.repeat(hourly["y"].to_numpy() / per_hour, per_hour))
with open(out, "w") as f:
    f.write("ds,y\n")
    for t, v in zip(ds, y):
        f.write(f"{np.datetime_as_string(t, unit='s')}Z,{v}\n")
EOF
fi
# The series' step in minutes, from its first two timestamps.
STEP=$("$PYTHON" -c "
import sys, pandas as pd
d = pd.read_csv(sys.argv[1], nrows=2)['ds'].str.replace('Z', '', regex=False)
print(int((pd.Timestamp(d[1]) - pd.Timestamp(d[0])).total_seconds() // 60))" "$CSV")

BIN=${QUEUECAST_BIN:-target/release/queuecast}
read -r -a EXTRA <<<"${QUEUECAST_ARGS:-}"
echo "input: $CSV ($(($(wc -l <"$CSV") - 1)) rows, ${STEP}-minute steps); load: $(cut -d' ' -f1-3 /proc/loadavg)"

if ((PROFILE)); then
  command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
  PBIN=${PROFILE_BIN:-target/profiling/queuecast}
  [[ -x "$PBIN" ]] || cargo build --profile profiling --bin queuecast >&2
  perf record -q -F 4999 -g -o "$OUT/perf.data" -- \
    "$PBIN" forecast --input "$CSV" --export "$OUT/qc.json" "${EXTRA[@]}" >/dev/null 2>"$OUT/err.txt" \
    || { cat "$OUT/err.txt" >&2; exit 1; }
  echo "top frames by self time ($PBIN forecast ${EXTRA[*]:-(auto)}):"
  perf report -q -i "$OUT/perf.data" --no-children --stdio --sort symbol -g none 2>/dev/null \
    | sed -E "s/[[:space:]-]+$//" | grep -v "^$" | head -25
  exit 0
fi

[[ -x "$BIN" ]] || cargo build --release --bin queuecast >/dev/null
if [[ -z "${MODELS+x}" ]]; then
  # Every model --help lists after "--model", plus the default.
  MODELS="auto $("$BIN" forecast --help | tr -c 'a-z0-9-' '\n' \
    | grep -E '^(seasonal-|mstl-|prophet-)' | sort -u | tr '\n' ' ')"
fi
PEERS=${PEERS-prophet mstl}

# once CMD...: one timed run, prints "seconds rss_kb"
once() {
  /usr/bin/time -v -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; t=s}
    /Maximum resident set size/ {r=$2} END {print t, r}' "$OUT/time.txt"
}

# median < "seconds rss_kb" lines: prints "median_seconds max_rss_kb"
median() {
  sort -g | awk '{a[NR]=$1; if ($2 > rss) rss=$2} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m, rss}'
}

# run CMD...: RUNS timed runs, prints "median_seconds max_rss_kb"
run() {
  for _ in $(seq "$RUNS"); do once "$@"; done | median
}

# statsforecast MSTL, a whole process like the others: read, fit, forecast a week, write JSON.
cat >"$OUT/mstl.py" <<'EOF'
import json, sys
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS
csv, out, step = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_csv(csv)
df["ds"] = pd.to_datetime(df["ds"].str.replace("Z", "", regex=False))
df["unique_id"] = "s"
day = 24 * 60 // step
model = MSTL(season_length=[day, 7 * day], trend_forecaster=AutoETS(model="ZZN"))
fc = StatsForecast(models=[model], freq=f"{step}min", n_jobs=1).forecast(df=df, h=7 * day, level=[95])
json.dump({"yhat": fc["MSTL"].tolist()}, open(out, "w"))
EOF

names=() times=() rss=()
record() { names+=("$1"); times+=("$2"); rss+=("$3"); }
for m in $MODELS; do
  args=(forecast --input "$CSV" --export "$OUT/qc.json" "${EXTRA[@]}")
  [[ "$m" == auto ]] || args+=(--model "$m")
  label="queuecast $m${QUEUECAST_PROPHET_ENGINE:+ [engine $QUEUECAST_PROPHET_ENGINE]}"
  if [[ -n "${BEFORE_BIN:-}" ]]; then
    # Alternate the two binaries run by run, so both see the same load.
    : >"$OUT/a.txt"; : >"$OUT/b.txt"
    for _ in $(seq "$RUNS"); do
      once "$BEFORE_BIN" "${args[@]}" >>"$OUT/b.txt"
      once "$BIN" "${args[@]}" >>"$OUT/a.txt"
    done
    read -r t r < <(median <"$OUT/b.txt")
    record "$label (before)" "$t" "$r"
    read -r t r < <(median <"$OUT/a.txt")
    record "$label" "$t" "$r"
  else
    read -r t r < <(run "$BIN" "${args[@]}")
    record "$label" "$t" "$r"
  fi
done
py_t=""
for p in $PEERS; do
  case "$p" in
    prophet)
      read -r t r < <(run env OPENBLAS_NUM_THREADS=1 "$PYTHON" tools/reference_forecast.py \
        --input "$CSV" --export "$OUT/py.json" --step-minutes "$STEP")
      py_t=$t
      record "Python Prophet (tools/reference_forecast.py)" "$t" "$r" ;;
    mstl)
      read -r t r < <(run env OPENBLAS_NUM_THREADS=1 "$PYTHON" "$OUT/mstl.py" "$CSV" "$OUT/sf.json" "$STEP")
      record "statsforecast MSTL(AutoETS ZZN)" "$t" "$r" ;;
    *) echo "unknown peer $p (prophet, mstl)" >&2; exit 2 ;;
  esac
done

printf '%-48s %9s %10s %10s\n' "whole process, $RUNS runs" "median s" "vs Prophet" "peak RSS"
for i in "${!names[@]}"; do
  ratio="-"
  [[ -n "$py_t" ]] && ratio=$(echo "$py_t ${times[$i]}" | awk '{printf "%.1fx", $1/$2}')
  printf '%-48s %9.3f %10s %7.1f MB\n' "${names[$i]}" "${times[$i]}" "$ratio" \
    "$(echo "${rss[$i]}" | awk '{print $1/1024}')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
