#!/usr/bin/env node
// split.js: reference token streams for the data path (reference 5.4 steps 2-3),
// written to tests/vectors/data/split_<family>.jsonl for tests/data/test_tokens.c.
//
// For each document:  ids = encode(text, addSpecialTokens false); cut ids into
// chunks of chunk_len; for each chunk: s = clean_up_tokenization(decode(chunk,
// skip_special false)) (transformers' clean_up_tokenization, applied because
// split_content passes clean_up_tokenization_spaces=True); out += encode(s,
// addSpecialTokens true) + [eos_token_id of tokenizer_config.json]. (Truncation to
// model_max_length never applies: the families' limits are far above 4096.)
//
// Reference implementation: npm @anush008/tokenizers@0.6.0 (NAPI bindings of the
// Rust crate tokenizers 0.22.2). Install with `npm ci` in this folder, then from
// the repository root:  node tests/xref/data/split.js
// Documents: corpus/ lines (whole texts) and a prefix of an arXiv paper long
// enough to need two 4096-id chunks.
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('@anush008/tokenizers');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TESTDATA = path.resolve(ROOT, '..', 'shared', 'testdata', 'tokenizers');
const FAMILIES = ['qwen2.5', 'mistral-7b-spm-bpe'];
const TOOL = '@anush008/tokenizers@0.6.0 (Rust tokenizers 0.22.2, NAPI)';

function cleanUp(s) { // transformers tokenization_utils_base.clean_up_tokenization
    return s.split(' .').join('.').split(' ?').join('?').split(' !').join('!').split(' ,').join(',')
        .split(" ' ").join("'").split(" n't").join("n't").split(" 'm").join("'m").split(" 's").join("'s")
        .split(" 've").join("'ve").split(" 're").join("'re");
}

function corpusText(file, line) {
    const lines = fs.readFileSync(path.join(ROOT, 'corpus', file), 'utf8').split('\n');
    return JSON.parse(lines[line]).text;
}

// A prefix of at most n UTF-8 bytes that ends on a character boundary.
function prefix(text, n) {
    const b = Buffer.from(text, 'utf8');
    let k = Math.min(n, b.length);
    while (k > 0 && (b[k] & 0xc0) === 0x80) k--;
    return b.subarray(0, k).toString('utf8');
}

const DOCS = [
    { file: 'reasoning.jsonl', line: 5, bytes: -1, chunk_len: 4096 },
    { file: 'reasoning.jsonl', line: 5, bytes: -1, chunk_len: 256 },
    { file: 'stackexchange.jsonl', line: 32, bytes: -1, chunk_len: 300 },
    { file: 'stackexchange.jsonl', line: 0, bytes: -1, chunk_len: 4096 },
    { file: 'arxiv.jsonl', line: 3, bytes: 26000, chunk_len: 4096 },
];

async function main() {
    for (const fam of FAMILIES) {
        const dir = path.join(TESTDATA, fam);
        const tok = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
        const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
        const eosText = typeof cfg.eos_token === 'string' ? cfg.eos_token : cfg.eos_token.content;
        const eos = tok.tokenToId(eosText);
        const lines = [JSON.stringify({
            source: TOOL + ' on ' + fam + '/tokenizer.json (../shared/testdata/tokenizers); node ' + process.version +
                '; command: node tests/xref/data/split.js; eos ' + JSON.stringify(eosText) + ' = ' + eos,
        })];
        for (const d of DOCS) {
            let text = corpusText(d.file, d.line);
            if (d.bytes > 0) text = prefix(text, d.bytes);
            const ids = Array.from((await tok.encode(text, null, { addSpecialTokens: false })).getIds());
            const out = [];
            let chunks = 0;
            for (let at = 0; at < ids.length; at += d.chunk_len) {
                const s = cleanUp(await tok.decode(ids.slice(at, at + d.chunk_len), false));
                const re = Array.from((await tok.encode(s, null, { addSpecialTokens: true })).getIds());
                out.push(...re, eos);
                chunks++;
            }
            lines.push(JSON.stringify({
                file: 'corpus/' + d.file, line: d.line, bytes: Buffer.byteLength(text, 'utf8'),
                chunk_len: d.chunk_len, eos_id: eos, plain_ids: ids.length, chunks, ids: out,
            }));
        }
        const outFile = path.join(ROOT, 'tests', 'vectors', 'data', 'split_' + fam + '.jsonl');
        fs.writeFileSync(outFile, lines.join('\n') + '\n');
        console.error('split.js: wrote ' + outFile);
    }
}
main().catch((e) => { console.error(e); process.exit(1); });
