#!/bin/sh
# run.sh: cross-check aif's Hugging Face cache layout against huggingface.js.
# serve.c uploads tests/vectors/hub/xref_repo/ to the fake Hub with aif and
# downloads it with aif; layout.mjs downloads the same commit with
# @huggingface/hub (downloadFileToCacheDir, the JS port of the
# huggingface_hub cache) and writes the layout it produced to
# tests/vectors/hub/hfjs_layout.txt, which tests/hub/test_hf.c compares
# with aif's own cache (so CI needs no npm). The script also diffs the two
# caches directly. Needs node + npm and the npm registry.
#   tests/xref/hub/run.sh            (from the repository root)
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=${AIF_XREF_DIR:-/tmp/aif-xref-hub}
rm -rf "$WORK/store" "$WORK/cache_c" "$WORK/cache_js"
mkdir -p "$WORK/store" "$WORK/cache_c" "$WORK/cache_js"
cd "$ROOT"
make -j2 build/libaif.a >/dev/null
cc -O1 -g -std=c11 -D_GNU_SOURCE -Iinclude tests/xref/hub/serve.c build/libaif.a \
   $(pkg-config --libs libcurl jansson libsodium sqlite3 libpcre2-8 libutf8proc libxxhash) -lpthread -lm -o "$WORK/serve"
cp tests/xref/hub/layout.mjs "$WORK/"
( cd "$WORK" && { [ -f package.json ] || npm init -y >/dev/null; } &&
  npm install --no-audit --no-fund @huggingface/hub@2.17.5 >/dev/null )
mkfifo "$WORK/in" 2>/dev/null || true
"$WORK/serve" tests/vectors/hub/xref_repo "$WORK/store" "$WORK/cache_c" < "$WORK/in" > "$WORK/out" &
SERVE=$!
exec 3>"$WORK/in"
i=0
while [ ! -s "$WORK/out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
read -r URL COMMIT < "$WORK/out"
( cd "$WORK" && node layout.mjs "$URL" "$COMMIT" "$WORK/cache_js" \
    .gitattributes big.bin config.json model.safetensors sub/notes.txt ) > tests/vectors/hub/hfjs_layout.txt
exec 3>&-
wait $SERVE
# the same listing of aif's cache
( cd "$WORK/cache_c/models--xref--tiny" && for top in blobs snapshots; do
    find "$top" \( -type f -o -type l \) | LC_ALL=C sort | while read -r p; do
      if [ -L "$p" ]; then echo "link $p -> $(readlink "$p")"; else echo "file $p sha256=$(sha256sum < "$p" | cut -d' ' -f1)"; fi
    done; done ) > "$WORK/aif_layout.txt"
diff -u tests/vectors/hub/hfjs_layout.txt "$WORK/aif_layout.txt" && echo "hub xref: aif's cache layout equals huggingface.js's ($(wc -l < tests/vectors/hub/hfjs_layout.txt) entries)"
