#!/usr/bin/env node
// offsets.js: byte-offset and pair-encoding vectors for the aif tokenizer.
//
// Reference: npm @anush008/tokenizers@0.6.0 (NAPI bindings of the Rust crate
// `tokenizers` 0.22.2), installed with `(cd tests/xref/tokenizer && npm ci)`.
// Its Encoding.getOffsets() returns CHARACTER (Unicode code point) offsets into
// the input (checked: "é😀a b" with qwen2.5 gives [[0,1],[1,2],[2,3],[3,5]]),
// the Rust crate's byte offsets converted by the binding. This script converts
// them back to UTF-8 BYTE offsets (a code point index -> the byte index where
// that code point starts), which is what the vectors hold.
//
// Usage (from the repository root):
//   node tests/xref/tokenizer/offsets.js [--testdata DIR] [--out DIR]
// Writes tests/vectors/tokenizer/<family>_offsets.jsonl: line 1 {"source"},
// then {"text", "ids", "offsets", "ids_special", "offsets_special"} per string
// (encode(text, null, {addSpecialTokens: false/true})), then
// {"a", "b", "ids", "offsets"} per pair (encode(a, b, {addSpecialTokens: true});
// offsets of the second sequence are relative to b, as in the library).
// Strings: every line of ../shared/testdata/tokenizers/corpus.jsonl plus the
// EXTRA list below (non-ASCII, combining marks, special-token text).
'use strict';

const fs = require('fs');
const path = require('path');

const FAMILIES = ['gpt4-cl100k', 'llama3', 'qwen2.5', 'qwen3', 'deepseek-v3', 'mistral-7b-spm-bpe'];
const TOOL = '@anush008/tokenizers@0.6.0 (Rust tokenizers 0.22.2, NAPI)';

const EXTRA = [
    'é😀a b', 'e\u0301x caf\u00e9 cafe\u0301', '  leading and trailing  ', 'naïve façade — “quotes” …',
    '日本語のテキスト、漢字とかな。', '한국어 텍스트 \u1100\u1161', 'Ελληνικά και русский текст', 'ﬁ ligature ＡＢＣ ①②',
    'emoji 👩‍👩‍👧‍👦 flags 🇫🇷🇩🇪', 'tabs\tand\nnewlines\r\n end', '<s> special </s> text <|endoftext|>',
    '<|im_start|>user\nhi<|im_end|>', 'x'.repeat(40) + ' ' + 'ab'.repeat(30), '\u00a0nbsp\u2009thin\u3000ideo',
];
const PAIRS = [
    ['Hello', 'world'], ['', 'only b'], ['only a', ''], ['é😀', 'a b c'], ['question?', ' answer with spaces '],
    ['日本語', '한국어'], ['line\none', 'line\ntwo'], ['<s>', '</s>'],
];

function charToByte(s) {
    const map = [0];
    let b = 0;
    for (const ch of s) { // iterates code points
        b += Buffer.byteLength(ch, 'utf8');
        map.push(b);
    }
    return map;
}

function conv(s, offs) {
    const m = charToByte(s);
    return offs.map(([a, b]) => {
        if (a >= m.length || b >= m.length) throw new Error('offset out of range in ' + JSON.stringify(s));
        return [m[a], m[b]];
    });
}

async function main() {
    const root = path.resolve(__dirname, '..', '..', '..');
    let testdata = path.resolve(root, '..', 'shared', 'testdata', 'tokenizers');
    let out = path.join(root, 'tests', 'vectors', 'tokenizer');
    const av = process.argv.slice(2);
    for (let i = 0; i < av.length; i++) {
        if (av[i] === '--testdata') testdata = av[++i];
        else if (av[i] === '--out') out = av[++i];
        else throw new Error('unknown argument ' + av[i]);
    }
    const { Tokenizer } = require('@anush008/tokenizers');
    const corpus = fs.readFileSync(path.join(testdata, 'corpus.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
        .map((l) => JSON.parse(l).text);
    const texts = corpus.concat(EXTRA);
    fs.mkdirSync(out, { recursive: true });
    for (const fam of FAMILIES) {
        const tok = Tokenizer.fromFile(path.join(testdata, fam, 'tokenizer.json'));
        const lines = [JSON.stringify({
            source: TOOL + ' on ' + fam + '/tokenizer.json (../shared/testdata/tokenizers); node ' + process.version +
                '; command: node tests/xref/tokenizer/offsets.js; getOffsets() (code point offsets) converted to UTF-8 byte offsets',
        })];
        for (const t of texts) {
            const e0 = await tok.encode(t, null, { addSpecialTokens: false });
            const e1 = await tok.encode(t, null, { addSpecialTokens: true });
            lines.push(JSON.stringify({
                text: t, ids: e0.getIds(), offsets: conv(t, e0.getOffsets()),
                ids_special: e1.getIds(), offsets_special: conv(t, e1.getOffsets()),
            }));
        }
        for (const [a, b] of PAIRS) {
            const e = await tok.encode(a, b, { addSpecialTokens: true });
            const ids = e.getIds(), offs = e.getOffsets(), seq = e.getSequenceIds();
            // each offset is relative to its own sequence (getSequenceIds: 0, 1, null for specials)
            const ma = charToByte(a), mb = charToByte(b);
            const boffs = offs.map(([x, y], i) => (seq[i] === 1 ? [mb[x], mb[y]] : seq[i] === 0 ? [ma[x], ma[y]] : [x, y]));
            lines.push(JSON.stringify({ a, b, ids, offsets: boffs }));
        }
        fs.writeFileSync(path.join(out, fam + '_offsets.jsonl'), lines.join('\n') + '\n');
        console.log(fam, texts.length, 'texts', PAIRS.length, 'pairs');
    }
    // normalizers_offsets.jsonl: the mistral-7b-spm-bpe tokenizer.json (BPE
    // with byte fallback: any text encodes) with its normalizer replaced by
    // each of NORMALIZERS in turn; records {"norm": index, "text", "ids",
    // "offsets"} (no special tokens) for EXTRA and NORM_TEXTS.
    const base = JSON.parse(fs.readFileSync(path.join(testdata, 'mistral-7b-spm-bpe', 'tokenizer.json'), 'utf8'));
    const lines = [JSON.stringify({
        source: TOOL + ' on mistral-7b-spm-bpe/tokenizer.json (../shared/testdata/tokenizers) with "normalizer" replaced by ' +
            'each of "normalizers" in turn; node ' + process.version + '; command: node tests/xref/tokenizer/offsets.js; ' +
            'getOffsets() (code point offsets) converted to UTF-8 byte offsets',
        normalizers: NORMALIZERS,
    })];
    for (let ni = 0; ni < NORMALIZERS.length; ni++) {
        base.normalizer = NORMALIZERS[ni];
        const tok = Tokenizer.fromString(JSON.stringify(base));
        for (const t of EXTRA.concat(NORM_TEXTS)) {
            const e = await tok.encode(t, null, { addSpecialTokens: false });
            lines.push(JSON.stringify({ norm: ni, text: t, ids: e.getIds(), offsets: conv(t, e.getOffsets()) }));
        }
    }
    fs.writeFileSync(path.join(out, 'normalizers_offsets.jsonl'), lines.join('\n') + '\n');
    console.log('normalizers', NORMALIZERS.length, 'x', EXTRA.length + NORM_TEXTS.length, 'texts');
    // postprocessors_offsets.jsonl: a family's tokenizer.json with its
    // post_processor replaced (POSTPROCESSORS: ByteLevel with trim_offsets,
    // Roberta with trim_offsets, Bert): records {"post": index, "text", "ids",
    // "offsets", "ids_special", "offsets_special"} and pairs {"post", "a", "b",
    // "ids", "offsets"} as in the family files.
    const plines = [JSON.stringify({
        source: TOOL + ' on the named ../shared/testdata/tokenizers/<family>/tokenizer.json with "post_processor" replaced by ' +
            'each of "postprocessors" in turn; node ' + process.version + '; command: node tests/xref/tokenizer/offsets.js; ' +
            'getOffsets() (code point offsets) converted to UTF-8 byte offsets',
        postprocessors: POSTPROCESSORS,
    })];
    for (let pi = 0; pi < POSTPROCESSORS.length; pi++) {
        const [fam, post] = POSTPROCESSORS[pi];
        const j = JSON.parse(fs.readFileSync(path.join(testdata, fam, 'tokenizer.json'), 'utf8'));
        j.post_processor = post;
        const tok = Tokenizer.fromString(JSON.stringify(j));
        for (const t of EXTRA.concat(NORM_TEXTS, corpus.slice(0, 20))) {
            const e0 = await tok.encode(t, null, { addSpecialTokens: false });
            const e1 = await tok.encode(t, null, { addSpecialTokens: true });
            plines.push(JSON.stringify({
                post: pi, text: t, ids: e0.getIds(), offsets: conv(t, e0.getOffsets()),
                ids_special: e1.getIds(), offsets_special: conv(t, e1.getOffsets()),
            }));
        }
        for (const [a, b] of PAIRS) {
            const e = await tok.encode(a, b, { addSpecialTokens: true });
            const offs = e.getOffsets(), seq = e.getSequenceIds();
            const ma = charToByte(a), mb = charToByte(b);
            const boffs = offs.map(([x, y], i) => (seq[i] === 1 ? [mb[x], mb[y]] : seq[i] === 0 ? [ma[x], ma[y]] : [x, y]));
            plines.push(JSON.stringify({ post: pi, a, b, ids: e.getIds(), offsets: boffs }));
        }
    }
    fs.writeFileSync(path.join(out, 'postprocessors_offsets.jsonl'), plines.join('\n') + '\n');
    console.log('postprocessors', POSTPROCESSORS.length);
}

const POSTPROCESSORS = [
    ['deepseek-v3', { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }],
    ['gpt4-cl100k', { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }],
    ['llama3', { type: 'RobertaProcessing', sep: ['<|end_of_text|>', 128001], cls: ['<|begin_of_text|>', 128000],
        trim_offsets: true, add_prefix_space: false }],
    ['qwen3', { type: 'BertProcessing', sep: ['<|im_end|>', 151645], cls: ['<|im_start|>', 151644] }],
];

const PRE = { type: 'Prepend', prepend: '\u2581' };
const SP = { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' };
const NORMALIZERS = [
    { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }, PRE, SP] },
    { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Strip', strip_left: true, strip_right: true }, PRE, SP] },
    { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { Regex: '\\s+' }, content: '\u2581' }, PRE] },
    { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'NFKD' }, { type: 'Replace', pattern: { String: 'ab' }, content: 'X' }] },
    { type: 'Sequence', normalizers: [{ type: 'Strip', strip_left: false, strip_right: true }, { type: 'Prepend', prepend: '>>' }, { type: 'NFC' }] },
];
const NORM_TEXTS = [
    'İstanbul ǅemal ΣΑΣ ß', 'ABab abab aab', 'Cafe\u0301 naïve Ǆ ﬃ ㈱ ½ ⁴', '  \t spaced\n\n out \u3000 ', 'x', ' ', '',
    'e\u0301\u0301\u0301 a\u0323\u0308 \u1100\u1161\u11a8', 'Ǆabab İİ', 'ＡＢab①', '\u00a0a\u00a0b\u2009c',
];

main().catch((e) => { console.error(e); process.exit(1); });
