#!/bin/sh
# run.sh: cross-check libaif's sr25519 against polkadot-js and regenerate
# tests/vectors/crypto/polkadotjs_xref.txt (which the C tests read, so CI
# needs no npm). Needs node + npm and network access to the npm registry.
#   tests/xref/crypto/run.sh            (from the repository root, after make)
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=${AIF_XREF_DIR:-/tmp/aif-xref-crypto}
mkdir -p "$WORK"
cd "$ROOT"
make -j2 build/libaif.a >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude tests/xref/crypto/aif_sign.c build/libaif.a \
   $(pkg-config --libs libsodium jansson libxxhash) -lm -o "$WORK/aif_sign"
cp tests/xref/crypto/xref.mjs "$WORK/"
cd "$WORK"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund @polkadot/util-crypto@14.0.3 @polkadot/util@14.0.3 \
    @polkadot/wasm-crypto@7.5.4 @polkadot/keyring@14.0.3 @scure/sr25519@0.2.0 >/dev/null
node xref.mjs "$WORK/aif_sign" "$ROOT/tests/vectors/crypto/polkadotjs_xref.txt"
