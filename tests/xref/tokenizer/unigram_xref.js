// unigram_xref.js: reference ids for tests/tokenizer/test_unigram.c, made by
// the Rust `tokenizers` library through npm @anush008/tokenizers@0.6.0
// (tokenizers 0.22.2). Two small hand-written Unigram tokenizers (without and
// with byte_fallback) encode pseudo-random texts; the output is the C table
// pasted into test_unigram.c.
//   cd $(mktemp -d) && npm install @anush008/tokenizers@0.6.0 \
//     @anush008/tokenizers-linux-x64-gnu@0.6.0 && node .../unigram_xref.js
const { Tokenizer } = require("@anush008/tokenizers");
const fs = require("fs"), os = require("os"), path = require("path");

const vocab = [["<unk>", 0], ["<s>", 0], ["</s>", 0], ["\u2581", -2], ["a", -3], ["b", -3], ["c", -3.5],
  ["ab", -4], ["bc", -4], ["abc", -5.5], ["\u2581a", -3.2], ["\u2581ab", -4.1], ["\u2581abc", -6],
  ["ca", -6.5], ["cab", -6.5], ["d", -5], ["dd", -8], ["<0xC3>", -9], ["<0xA9>", -9], ["<0xE4>", -9],
  ["<0xBD>", -9], ["<0xA0>", -9], ["\u00e9", -7], ["a", -2.5]];
function json(byteFallback) {
  return JSON.stringify({
    version: "1.0", truncation: null, padding: null,
    added_tokens: [{ id: 1, content: "<s>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
    post_processor: null,
    decoder: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
    model: { type: "Unigram", unk_id: 0, vocab, byte_fallback: byteFallback },
  });
}
let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const parts = ["a", "b", "c", "ab", "abc", "d", "dd", " ", "  ", "x", "xy", "\u00e9", "e\u0301", "\u4f60", "<s>", "ca"];
const texts = ["", "abc", "ab c", "xx", "\u00e9\u00e9", "\u4f60a", "dddd", "cab abc"];
while (texts.length < 40) {
  let s = "";
  for (let j = 1 + Math.floor(rnd() * 8); j > 0; j--) s += parts[Math.floor(rnd() * parts.length)];
  texts.push(s);
}
const cstr = s => '"' + Array.from(Buffer.from(s, "utf8")).map(b =>
  b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f ? String.fromCharCode(b)
                                                                   : "\\" + b.toString(8).padStart(3, "0")).join("") + '"';
(async () => {
  for (const bf of [false, true]) {
    const file = path.join(os.tmpdir(), `unigram_${bf}.json`);
    fs.writeFileSync(file, json(bf));
    const tok = Tokenizer.fromFile(file);
    console.log(`/* byte_fallback ${bf} */`);
    for (const t of texts) {
      const ids = Array.from((await tok.encode(t, null, { addSpecialTokens: false })).getIds());
      const dec = await tok.decode(ids, false);
      console.log(`    {${bf ? 1 : 0}, ${cstr(t)}, "${ids.join(" ")}", ${cstr(dec)}},`);
    }
  }
  for (const bf of [false, true])
    console.log(`static const char unigram_json_${bf ? 1 : 0}[] = ${cstr(json(bf))};`);
})();
