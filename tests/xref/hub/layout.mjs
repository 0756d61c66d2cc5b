// layout.mjs: download every file of xref/tiny@<commit> from the fake Hub
// with huggingface.js (@huggingface/hub downloadFileToCacheDir, which writes
// the huggingface_hub cache layout), then print that cache's layout: one
// line per entry under models--xref--tiny/ (blobs/ and snapshots/), with
// the link target for symlinks and the sha256 of regular files.
//   node layout.mjs HUB_URL COMMIT CACHE_DIR PATH...
import { downloadFileToCacheDir } from "@huggingface/hub";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const [hubUrl, commit, cacheDir, ...paths] = process.argv.slice(2);
console.debug = () => {};
for (const p of paths)
  await downloadFileToCacheDir({ repo: "xref/tiny", path: p, revision: commit, hubUrl, cacheDir, accessToken: "hf_test" });

const root = path.join(cacheDir, "models--xref--tiny");
const lines = [];
function walk(rel) {
  for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const full = path.join(root, r);
    const st = fs.lstatSync(full);
    if (st.isDirectory()) walk(r);
    else if (st.isSymbolicLink()) lines.push(`link ${r} -> ${fs.readlinkSync(full)}`);
    else lines.push(`file ${r} sha256=${createHash("sha256").update(fs.readFileSync(full)).digest("hex")}`);
  }
}
for (const top of ["blobs", "snapshots"]) walk(top);
process.stdout.write(lines.join("\n") + "\n");
