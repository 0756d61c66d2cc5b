#!/bin/sh
# table.sh [table.py options]: issue 6's benchmark table (aif vs PyTorch,
# eval path of the synthetic 1B-class Llama). Builds bench_forward the way
# `make bench` does, then runs bench/table.py (see there for the options).
#   bench/table.sh --quick        2 layers, seq 512,2048, threads 1,2 (a few minutes)
#   bench/table.sh                16 layers, seq 2048,4096, threads 1,2 (an hour or more on 2 cores)
set -e
cd "$(dirname "$0")/.."
make --no-print-directory B=build/bench OPT='-O3 -march=native -g' build/bench/bench/bench_forward >&2
exec /usr/bin/python3 bench/table.py "$@"
