#!/bin/sh
# run.sh: cross-check libaif's signed extrinsics against polkadot-js and
# regenerate tests/vectors/chain/extrinsics_polkadotjs.json (which
# tests/chain/test_xref.c reads, so CI needs no npm). Needs node + npm and
# the npm registry. Run from anywhere: tests/xref/chain/run.sh
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=${AIF_XREF_DIR:-/tmp/aif-xref-chain}
MD="$ROOT/../shared/testdata/chain/subtensor_metadata_at_version_15.hex"
mkdir -p "$WORK"
cd "$ROOT"
make -j2 build/libaif.a >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude tests/xref/chain/aif_extrinsic.c build/libaif.a \
   $(pkg-config --libs libcurl jansson libsodium sqlite3 libpcre2-8 libutf8proc libxxhash) -lm -lpthread -o "$WORK/aif_extrinsic"
"$WORK/aif_extrinsic" "$MD" tests/xref/chain/cases.json > "$WORK/aif.txt"
cp tests/xref/chain/xref.mjs "$WORK/"
cd "$WORK"
[ -f package.json ] || npm init -y >/dev/null
[ -d node_modules/@polkadot/types ] || npm install --no-audit --no-fund @polkadot/api@16.5.6 @polkadot/types@16.5.6 \
    @polkadot/util-crypto@14.0.3 @polkadot/util@14.0.3 @polkadot/keyring@14.0.3 >/dev/null
node xref.mjs "$MD" "$ROOT/tests/xref/chain/cases.json" "$WORK/aif.txt" "$ROOT/tests/vectors/chain/extrinsics_polkadotjs.json"
