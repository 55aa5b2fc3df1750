#!/usr/bin/env bash
# The bad-file corpus as a table for the issue-17 closing note: every file of
# tests/cli/corpus.rs → exit code, wall seconds, peak RSS (MB), measured with /usr/bin/time -v.
#
#   bash tools/corpus_table.sh [BIN]        # BIN defaults to target/release/queuecast
#
# The corpus test writes the files and a manifest (name, path, flags) when
# QUEUECAST_CORPUS_DIR is set; this script then runs each case with the default model (`auto`,
# the tournament), unlike the test, which uses the fast model to keep CI short.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/queuecast}
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release, or pass a path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 2; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
QUEUECAST_CORPUS_DIR="$DIR/files" cargo test --quiet --test cli corpus::every_corpus_file >/dev/null
printf '| file | exit | seconds | peak MB |\n|---|---:|---:|---:|\n'
while IFS=$'\t' read -r name path args; do
  # shellcheck disable=SC2086 # the flags are meant to split
  # Without RUST_BACKTRACE, as users run it: with it, every error report symbolizes a backtrace.
  env -u RUST_BACKTRACE -u RUST_LIB_BACKTRACE \
    QUEUECAST_CONFIG="$DIR/none.toml" QUEUECAST_DATA_DIR="$DIR/data" \
    /usr/bin/time -v -o "$DIR/time" "$BIN" forecast --input "$path" $args \
    >/dev/null 2>"$DIR/err" && code=0 || code=$?
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$DIR/time")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time")
  printf '| %s | %s | %.2f | %.0f |\n' "$name" "$code" "$secs" "$(echo "$kb / 1024" | bc -l)"
done < "$DIR/files/cases.tsv"
