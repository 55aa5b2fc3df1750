#!/usr/bin/env bash
# Issue 18's cost curve: whole-process median time and peak RSS of `auto` and `prophet-seed`
# on synthetic contact-centre series of 30, 90, 180 and 365 days at 15- and 60-minute steps,
# through tools/bench_forecast.sh (same generator, same timing). With BEFORE_BIN set (e.g. a
# release build of main: `cargo build --release --target-dir target-before`) each row also
# times that binary, alternating run by run so both see the same load.
#
# Usage: tools/cost_curve.sh [RUNS]      (RUNS defaults to 5)
# Env:   QUEUECAST_BIN, BEFORE_BIN, PYTHON (numpy for the generator), DAYS, STEPS, MODELS
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
DAYS=${DAYS:-30 90 180 365}
STEPS=${STEPS:-15 60}
export MODELS=${MODELS:-auto prophet-seed} PEERS=""
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-5s %-28s %9s %9s\n' days min model "median s" "peak MB"
for step in $STEPS; do
  for days in $DAYS; do
    tools/bench_forecast.sh "synthetic:$days:$step" "$RUNS" | awk -v d="$days" -v s="$step" '
      /^queuecast / {
        mb = $(NF - 1); sec = $(NF - 3); sub(/^queuecast /, ""); name = $0
        sub(/[[:space:]]+[0-9.]+[[:space:]]+-[[:space:]]+[0-9.]+ MB$/, "", name)
        printf "%-5s %-5s %-28s %9.3f %9.1f\n", d, s, name, sec, mb
      }'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
