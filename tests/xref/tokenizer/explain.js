#!/usr/bin/env node
// explain.js: how the reference library (npm @anush008/tokenizers@0.6.0, Rust
// tokenizers 0.22.2) tokenizes one text, to analyse a disagreement reported by
// tests/tokenizer/test_random_xref.c. Writes nothing; prints the normalized
// text (where the tokenizer has a normalizer), the pre-tokenizer pieces and
// the tokens with their ids.
//
// Usage: node tests/xref/tokenizer/explain.js DIR_OR_TOKENIZER_JSON (--line FILE.jsonl N | --text JSON_STRING)
//   --line: the "text" of line N (1-based, as the test prints it) of a vector file
//   --text: a JSON string literal, e.g. '"a\\u00a0b"'
'use strict';

const fs = require('fs');
const path = require('path');

async function main() {
    const v = process.argv.slice(2);
    if (v.length < 3) {
        console.error('usage: explain.js DIR|tokenizer.json (--line FILE.jsonl N | --text JSON_STRING)');
        process.exit(2);
    }
    let file = v[0];
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'tokenizer.json');
    let text;
    if (v[1] === '--line') text = JSON.parse(fs.readFileSync(v[2], 'utf8').split('\n')[Number(v[3]) - 1]).text;
    else if (v[1] === '--text') text = JSON.parse(v[2]);
    else { console.error('explain.js: want --line or --text'); process.exit(2); }
    const { Tokenizer } = require('@anush008/tokenizers');
    const tok = Tokenizer.fromFile(file);
    console.log('text:       ' + JSON.stringify(text));
    const norm = tok.getNormalizer();
    let normalized = text;
    if (norm && norm.normalizeString) {
        normalized = norm.normalizeString(text);
        console.log('normalized: ' + JSON.stringify(normalized));
    }
    const pre = tok.getPreTokenizer();
    if (pre) {
        const pieces = pre.preTokenizeString(normalized);
        console.log('pre-tokens: ' + pieces.map((p) => JSON.stringify(p[0])).join(' '));
    }
    for (const special of [false, true]) {
        const e = await tok.encode(text, null, { addSpecialTokens: special });
        const ids = Array.from(e.getIds());
        const toks = e.getTokens();
        console.log((special ? 'with special: ' : 'ids:          ') +
            ids.map((id, i) => id + '=' + JSON.stringify(toks[i])).join(' '));
    }
}

main().catch((e) => { console.error('explain.js: ' + (e && e.message ? e.message : e)); process.exit(1); });
