#!/usr/bin/env node
// bench_hf.js: encoding throughput of the Hugging Face `tokenizers` library
// (Rust 0.22.2 through npm @anush008/tokenizers@0.6.0), the reference side of
// bench/bench_tokenizer.c, which runs this script and prints both in one table.
//
// Usage: node tests/xref/tokenizer/bench_hf.js --tokenizer FILE.json --texts FILE.jsonl
//            [--mode loop|batch] [--seconds S]
//   --texts: one {"text": ...} per line (bench_tokenizer.c writes the chunks it
//            measures itself, so that both sides encode exactly the same strings).
//   loop:  single-threaded: `await tok.encode(text, null, {addSpecialTokens:false})`
//          for each text in turn (each call runs on one libuv worker thread),
//          then the same texts through encodeBatch (run with
//          RAYON_NUM_THREADS=1 for a single-threaded batch figure).
//   batch: `await tok.encodeBatch(texts, {addSpecialTokens:false})`, which the
//          library spreads over its rayon pool (all cores unless
//          RAYON_NUM_THREADS says otherwise).
// Passes repeat until S seconds (default 1) have gone by, after one warm-up.
// Prints one JSON line on stdout: {"mode", "mb_s", "batch_mb_s", "bytes",
// "tokens", "passes", "threads"}; MB = 1e6 bytes of UTF-8 text.
'use strict';

const fs = require('fs');
const os = require('os');

function args() {
    const a = { tokenizer: null, texts: null, mode: 'loop', seconds: 1 };
    const v = process.argv.slice(2);
    for (let i = 0; i < v.length; i++) {
        if (v[i] === '--tokenizer') a.tokenizer = v[++i];
        else if (v[i] === '--texts') a.texts = v[++i];
        else if (v[i] === '--mode') a.mode = v[++i];
        else if (v[i] === '--seconds') a.seconds = Number(v[++i]);
        else { console.error('bench_hf.js: unknown argument ' + v[i]); process.exit(2); }
    }
    if (!a.tokenizer || !a.texts || !['loop', 'batch'].includes(a.mode)) {
        console.error('usage: bench_hf.js --tokenizer FILE.json --texts FILE.jsonl [--mode loop|batch] [--seconds S]');
        process.exit(2);
    }
    return a;
}

async function timed(seconds, pass) {
    await pass(); // warm-up
    let passes = 0;
    const t0 = process.hrtime.bigint();
    let dt = 0;
    do {
        await pass();
        passes++;
        dt = Number(process.hrtime.bigint() - t0) / 1e9;
    } while (dt < seconds || passes < 2);
    return { passes, dt };
}

async function main() {
    const a = args();
    const { Tokenizer } = require('@anush008/tokenizers');
    const tok = Tokenizer.fromFile(a.tokenizer);
    const texts = fs.readFileSync(a.texts, 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l).text);
    const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t, 'utf8'), 0);
    const opts = { addSpecialTokens: false };
    let tokens = 0;
    const batch = async () => {
        const encs = await tok.encodeBatch(texts, opts);
        tokens = encs.reduce((s, e) => s + e.getIds().length, 0);
    };
    const out = { mode: a.mode, bytes, threads: Number(process.env.RAYON_NUM_THREADS) || os.cpus().length };
    if (a.mode === 'loop') {
        const r = await timed(a.seconds, async () => {
            let n = 0;
            for (const t of texts) n += (await tok.encode(t, null, opts)).getIds().length;
            tokens = n;
        });
        out.mb_s = (bytes * r.passes) / r.dt / 1e6;
        out.passes = r.passes;
        out.tokens = tokens;
    }
    const rb = await timed(a.seconds, batch);
    if (a.mode === 'loop') out.batch_mb_s = (bytes * rb.passes) / rb.dt / 1e6;
    else {
        out.mb_s = (bytes * rb.passes) / rb.dt / 1e6;
        out.passes = rb.passes;
        out.tokens = tokens;
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { console.error('bench_hf.js: ' + (e && e.message ? e.message : e)); process.exit(1); });
