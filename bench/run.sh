#!/bin/sh
# run.sh BUILD_DIR: run every benchmark built under BUILD_DIR/bench/ and
# print their tables. Each bench_<topic> prints its own table on stdout.
# BENCH="forward tokenizer" limits the run to those topics.
b=${1:-build/bench}
for exe in "$b"/bench/bench_*; do
  [ -x "$exe" ] || continue
  case "$exe" in *.o|*.d) continue ;; esac
  topic=${exe##*/bench_}
  if [ -n "$BENCH" ] && ! echo " $BENCH " | grep -q " $topic "; then continue; fi
  echo "== $topic"
  "$exe" || exit 1
  echo
done
