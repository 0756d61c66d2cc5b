// upload.mjs: commit two files to xref/tiny on the fake Hub with
// huggingface.js (@huggingface/hub uploadFiles, LFS path: preupload, LFS
// batch with a multipart object, parts, completion, NDJSON commit), and
// write the same bytes under OUT_DIR for comparison with what aif downloads.
//   node upload.mjs HUB_URL OUT_DIR
import { uploadFiles } from "@huggingface/hub";
import fs from "node:fs";
import path from "node:path";

const [hubUrl, outDir] = process.argv.slice(2);
const big = new Uint8Array(10000);
for (let i = 0; i < big.length; i++) big[i] = (i * 13) % 256;
const small = new TextEncoder().encode('{"from": "hfjs"}');
const out = await uploadFiles({
  repo: "xref/tiny", hubUrl, accessToken: "hf_test", useXet: false,
  files: [{ path: "js/weights.bin", content: new Blob([big]) }, { path: "js/config.json", content: new Blob([small]) }],
});
fs.mkdirSync(path.join(outDir, "js"), { recursive: true });
fs.writeFileSync(path.join(outDir, "js/weights.bin"), big);
fs.writeFileSync(path.join(outDir, "js/config.json"), small);
console.log(out.commit.oid);
