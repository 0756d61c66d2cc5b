#!/bin/sh
# run.sh: cross-check aif's Hugging Face client against huggingface.js.
#  1. serve.c uploads tests/vectors/hub/xref_repo/ to the fake Hub
#     (tests/hub/fakehub.c) with aif and downloads it with aif at the commit.
#  2. layout.mjs downloads the same commit with @huggingface/hub
#     (downloadFileToCacheDir, the JS port of the huggingface_hub cache) and
#     writes the layout it produced to tests/vectors/hub/hfjs_layout.txt,
#     which tests/hub/test_hf.c compares with aif's cache (so CI needs no
#     npm); here the two caches are also diffed directly.
#  3. upload.mjs commits two files (one multipart LFS object) with
#     huggingface.js, and aif downloads them: checks the fake Hub's write
#     API against an official client, and aif's download of that commit.
# Needs node + npm and the npm registry.
#   tests/xref/hub/run.sh            (from the repository root)
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=${AIF_XREF_DIR:-/tmp/aif-xref-hub}
rm -rf "$WORK/store" "$WORK/cache_c" "$WORK/cache_js" "$WORK/js_expected" "$WORK/out" "$WORK/in"
mkdir -p "$WORK/store" "$WORK/cache_c" "$WORK/cache_js"
cd "$ROOT"
make -j2 build/libaif.a >/dev/null
cc -O1 -g -std=c11 -D_GNU_SOURCE -Iinclude tests/xref/hub/serve.c build/libaif.a \
   $(pkg-config --libs libcurl jansson libsodium sqlite3 libpcre2-8 libutf8proc libxxhash) -lpthread -lm \
   -o "$WORK/serve"
cp tests/xref/hub/layout.mjs tests/xref/hub/upload.mjs "$WORK/"
( cd "$WORK" && { [ -f package.json ] || npm init -y >/dev/null; } &&
  npm install --no-audit --no-fund @huggingface/hub@2.17.5 >/dev/null )
mkfifo "$WORK/in"
"$WORK/serve" tests/vectors/hub/xref_repo "$WORK/store" "$WORK/cache_c" < "$WORK/in" > "$WORK/out" &
SERVE=$!
exec 3>"$WORK/in"
i=0
while [ ! -s "$WORK/out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
read -r URL COMMIT < "$WORK/out"

# 2. the cache layouts
( cd "$WORK" && node layout.mjs "$URL" "$COMMIT" "$WORK/cache_js" \
    .gitattributes big.bin config.json model.safetensors sub/notes.txt ) > tests/vectors/hub/hfjs_layout.txt
( cd "$WORK/cache_c/models--xref--tiny" && for top in blobs snapshots; do
    find "$top" \( -type f -o -type l \) | LC_ALL=C sort | while read -r p; do
      if [ -L "$p" ]; then echo "link $p -> $(readlink "$p")"; else echo "file $p sha256=$(sha256sum < "$p" | cut -d' ' -f1)"; fi
    done; done ) > "$WORK/aif_layout.txt"
diff -u tests/vectors/hub/hfjs_layout.txt "$WORK/aif_layout.txt"
echo "hub xref: aif's cache layout equals huggingface.js's ($(wc -l < tests/vectors/hub/hfjs_layout.txt) entries)"

# 3. huggingface.js uploads, aif downloads
( cd "$WORK" && node upload.mjs "$URL" "$WORK/js_expected" ) > "$WORK/js_commit"
echo download >&3
i=0
while [ "$(wc -l < "$WORK/out")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
SNAP=$(sed -n 2p "$WORK/out")
exec 3>&-
wait $SERVE
case "$SNAP" in */"$(cat "$WORK/js_commit")") ;; *) echo "hub xref: aif did not get the huggingface.js commit: $SNAP"; exit 1 ;; esac
cmp "$SNAP/js/weights.bin" "$WORK/js_expected/js/weights.bin"
cmp "$SNAP/js/config.json" "$WORK/js_expected/js/config.json"
echo "hub xref: huggingface.js uploaded to the fake Hub (multipart LFS + regular file), aif downloaded the same bytes"
