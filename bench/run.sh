#!/bin/sh
# run.sh BUILD_DIR: run every benchmark built under BUILD_DIR/bench/ and
# print their tables. Each bench_<topic> prints its own table on stdout.
# BENCH="forward tokenizer" limits the run to those topics.
# bench_forward runs with $BENCH_FORWARD_ARGS (default --quick: 2 layers,
# seq 512,2048, threads 1,2, f32/bf16 weights, F32/BF16 compute).
# Issue 6's combined table (aif vs PyTorch, peaks, ratios) is bench/table.sh;
# the 3.5B memory target is BUILD_DIR/bench/bench_forward --rss-3b5.
b=${1:-build/bench}
for exe in "$b"/bench/bench_*; do
  [ -x "$exe" ] || continue
  case "$exe" in *.o|*.d) continue ;; esac
  topic=${exe##*/bench_}
  if [ -n "$BENCH" ] && ! echo " $BENCH " | grep -q " $topic "; then continue; fi
  echo "== $topic"
  if [ "$topic" = forward ]; then
    # shellcheck disable=SC2086
    "$exe" ${BENCH_FORWARD_ARGS:---quick} || exit 1
  else
    "$exe" || exit 1
  fi
  echo
done
