#!/bin/sh
# local-round.sh: one complete round of the AI Factory subnet on this machine,
# with no network: a local subnet (SQLite chain + directory hub + throwaway
# wallets), three demo miners' models built from the shipped corpus, three
# `aif push`es, one validator pass (`aif validator --once`), and the result.
#
# usage: scripts/local-round.sh [DIR]     (default ./aif-local; replaced if it holds a local subnet)
# env:   AIF=path/to/aif (default build/aif), BLOCK_TIME=seconds per block (default 12)
set -eu

AIF=${AIF:-build/aif}
DIR=${1:-aif-local}
BLOCK_TIME=${BLOCK_TIME:-12}

if [ ! -x "$AIF" ]; then
    echo "local-round: $AIF not found; run make first (or set AIF=)" >&2
    exit 1
fi
step() { printf '\n== %s\n' "$*"; }
t0=$(date +%s)

step "1. a local subnet in $DIR: 1 validator (uid 0), 3 miners (uids 1-3)"
"$AIF" local init --dir "$DIR" --miners 3 --validators 1 --block-time "$BLOCK_TIME" --force

step "2. the demo miners' models (closed-form bigram models, repeat penalty 0, 40, 80)"
"$AIF" local demo-models --dir "$DIR"

step "3. each miner pushes its model (check, upload, hash as a validator would, commit)"
i=1
for p in 0 40 80; do
    "$AIF" push "$DIR/models/demo-p$p" --hf_repo_id "miner$i/demo-p$p" --competition_id 99 \
        --wallet.name "miner$i" --wallet.hotkey default --local "$DIR" --retry-delay 2 --max-attempts 5
    i=$((i + 1))
done
"$AIF" models --local "$DIR"

step "4. one validator pass: download, verify, evaluate on the corpus, set weights"
"$AIF" validator --once --local "$DIR"

step "5. the result"
"$AIF" local status --dir "$DIR"
"$AIF" best --local "$DIR" --competition 99 || true
echo
echo "local-round: done in $(( $(date +%s) - t0 )) s"
