#!/usr/bin/env node
// gen.js: random cross-check vectors for the aif tokenizer.
//
// Writes tests/vectors/tokenizer/<family>_random.jsonl for the six families
//   gpt4-cl100k llama3 qwen2.5 qwen3 deepseek-v3 mistral-7b-spm-bpe
// from the tokenizer.json files in ../shared/testdata/tokenizers/<family>/ (i.e.
// /work/shared/testdata/tokenizers), tokenized by the reference implementation:
// npm @anush008/tokenizers@0.6.0 (NAPI bindings of the Rust crate `tokenizers`
// 0.22.2), installed here with `npm ci` (package.json / package-lock.json).
//
// Usage (from the repository root):
//   (cd tests/xref/tokenizer && npm ci)
//   node tests/xref/tokenizer/gen.js [--seed N] [--count N] [--testdata DIR] [--out DIR]
//   --family NAME=DIR (repeatable) replaces the six families by tokenizer.json files
//   elsewhere (e.g. other @lenml/tokenizer-* npm packages, for a one-off check).
//
// Output: line 1 is {"source": "..."} (tool, version, command, seed); then one
// JSON record per generated string, in generation order, with the layout of
// reference_hf_tokenizers.jsonl minus "tokens" (kept out to save space):
//   {"text", "ids", "ids_with_special", "decoded", "decoded_skip_special"}
// where, as for the shipped reference files:
//   ids                  = encode(text, null, {addSpecialTokens: false}).getIds()
//   ids_with_special     = encode(text, null, {addSpecialTokens: true}).getIds()
//   decoded              = decode(ids, false)               (skip_special_tokens false)
//   decoded_skip_special = decode(ids_with_special, true)   (skip_special_tokens true)
// With --split-special the script instead writes <family>_split_special.jsonl:
// the same records for the tokenizer with split_special_tokens (special
// added tokens treated as text; see splitSpecialJson below), generated from a
// separate smaller set of strings that are dense in special-token text
// (the committed files: --split-special --count 80).
//
// With --unicode-new it writes <family>_unicode16.jsonl: strings around the
// characters whose Unicode general category changed between Unicode 14.0 and
// 16.0 (table UNICODE_NEW below), where regex engines with older Unicode
// tables split text differently from the reference.
//
// With --decode-random it writes <family>_decode_random.jsonl: random id
// sequences and their decodings {"ids", "decoded", "decoded_skip_special"}
// (the committed files: --decode-random --count 150).
//
// With --datasets it writes <family>_datasets.jsonl: token counts and id
// hashes of real documents (see datasets() below; committed: --every 8).
//
// The strings are the same for every family. They come from a seeded PRNG
// (mulberry32, written below) so that the same seed and count always give the
// same files byte for byte (the reference library is deterministic).
'use strict';

const fs = require('fs');
const path = require('path');

const FAMILIES = ['gpt4-cl100k', 'llama3', 'qwen2.5', 'qwen3', 'deepseek-v3', 'mistral-7b-spm-bpe'];
const TOOL = '@anush008/tokenizers@0.6.0 (Rust tokenizers 0.22.2, NAPI)';

function parseArgs() {
    const here = __dirname;
    const root = path.resolve(here, '..', '..', '..');
    const a = {
        seed: 20261127,
        count: 400,
        testdata: path.resolve(root, '..', 'shared', 'testdata', 'tokenizers'),
        out: path.join(root, 'tests', 'vectors', 'tokenizer'),
        splitSpecial: false,
        unicodeNew: false,
        decodeRandom: false,
        datasets: false,
        every: 8,
        families: null, // [[name, dir], ...]; null: FAMILIES under --testdata
    };
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i++) {
        const k = argv[i];
        if (k === '--seed') a.seed = Number(argv[++i]) >>> 0;
        else if (k === '--count') a.count = Number(argv[++i]);
        else if (k === '--testdata') a.testdata = path.resolve(argv[++i]);
        else if (k === '--out') a.out = path.resolve(argv[++i]);
        else if (k === '--split-special') a.splitSpecial = true;
        else if (k === '--unicode-new') a.unicodeNew = true;
        else if (k === '--decode-random') a.decodeRandom = true;
        else if (k === '--datasets') a.datasets = true;
        else if (k === '--every') a.every = Number(argv[++i]);
        else if (k === '--family') {
            const v = argv[++i] || '';
            const eq = v.indexOf('=');
            if (eq <= 0) { console.error('--family wants NAME=DIR (DIR holds tokenizer.json)'); process.exit(2); }
            (a.families = a.families || []).push([v.slice(0, eq), path.resolve(v.slice(eq + 1))]);
        }
        else {
            console.error('usage: gen.js [--seed N] [--count N] [--testdata DIR] [--out DIR] [--split-special | --unicode-new | --decode-random | --datasets [--every N]] [--family NAME=DIR]...');
            process.exit(2);
        }
    }
    return a;
}

// ---- PRNG: mulberry32 (public domain, Tommy Ettinger) ---------------------
function mulberry32(seed) {
    let s = seed >>> 0;
    return function () {
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

let rnd = mulberry32(1);
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)); // inclusive
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const chance = (p) => rnd() < p;
const cp = (lo, hi) => String.fromCodePoint(int(lo, hi));
const rep = (n, f) => { let s = ''; for (let i = 0; i < n; i++) s += f(); return s; };

// ---- material ---------------------------------------------------------------
const LATIN = ['the', 'of', 'and', 'hello', 'world', 'token', 'tokenizer', 'naïve', 'café', 'résumé', 'façade',
    'Ångström', 'über', 'straße', 'Žluťoučký', 'kůň', 'señor', 'mañana', 'Łódź', 'Ærø', 'ﬁnance', 'İstanbul',
    'Việt', 'Nguyễn', 'phở', 'déjà', 'vu', 'coöperate', 'élève', 'ĳssel', 'Øresund', 'þorn', 'ðæt', 'Œuvre',
    'quantum', 'theorem', 'lemma', 'proof', 'iPhone', 'camelCase', 'snake_case', 'HTTPServer', 'XMLHttpRequest',
    'a', 'I', 'x', 'Q', 'supercalifragilisticexpialidocious', 'antidisestablishmentarianism'];
const CYRILLIC = ['привет', 'мир', 'Москва', 'ёжик', 'съешь', 'ещё', 'этих', 'мягких', 'французских', 'булок',
    'Україна', 'їжак', 'ґанок', 'Београд', 'ђак', 'ЖЁЛТЫЙ'];
const GREEK = ['γειά', 'σου', 'κόσμε', 'Ελλάδα', 'ψυχή', 'ΣΊΣΥΦΟΣ', 'ς', 'αβγδεζηθ', 'ῥῆμα', 'ᾅδης', 'Ωμέγα'];
const CJK_WORDS = ['你好', '世界', '机器学习', '人工智能', '中华人民共和国', '數學', '語言模型', '的', '是', '了',
    '一二三四五', '汉字', '龘', '𠀋', '𪚥'];
const JA_WORDS = ['こんにちは', 'ありがとう', 'カタカナ', 'ひらがな', '東京', '日本語', 'トークナイザー', 'ｶﾀｶﾅ', 'ー',
    'きゃ', 'ゔ', 'ヴァ'];
const KO_WORDS = ['안녕하세요', '세계', '한국어', '토크나이저', '뷁', '각'];
const ARABIC = ['مرحبا', 'بالعالم', 'العربية', 'السَّلَامُ', 'عَلَيْكُمْ', '١٢٣٤٥', 'ـــ', 'ﷺ'];
const HEBREW = ['שלום', 'עולם', 'עִבְרִית', 'ישראל', 'בְּרֵאשִׁית'];
const DEVANAGARI = ['नमस्ते', 'दुनिया', 'हिन्दी', 'क्षत्रिय', '१२३', 'श्री', 'ज़'];
const THAI = ['สวัสดี', 'ชาวโลก', 'ภาษาไทย', 'กรุงเทพมหานคร', '๑๒๓', 'ฯลฯ'];
const OTHER = ['ქართული', 'Հայերեն', 'ᏣᎳᎩ', 'ᠮᠣᠩᠭᠣᠯ', 'བོད་ཡིག', 'ᐃᓄᒃᑎᑐᑦ', 'తెలుగు', 'தமிழ்', 'বাংলা', 'ગુજરાતી',
    'ಕನ್ನಡ', 'മലയാളം', 'සිංහල', 'ພາສາລາວ', 'ខ្មែរ', 'မြန်မာ', 'አማርኛ'];
const EMOJI = ['😀', '😂', '🤖', '🚀', '❤️', '❤', '✨', '👍', '🎉', '🔥', '🐍', '🦀', '☕', '⚡', '🏳️‍🌈', '🏴‍☠️',
    '👨‍👩‍👧‍👦', '👩‍💻', '🧑🏽‍🚀', '👨🏿‍🦱', '🫠', '🥲', '1️⃣', '#️⃣', '©️', '™', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '☺︎'];
const SKIN = [0x1f3fb, 0x1f3fc, 0x1f3fd, 0x1f3fe, 0x1f3ff];
const SKIN_BASE = ['👋', '👍', '🙏', '🤝', '💪', '👩', '🧑', '👶'];
const FLAGS = ['US', 'FR', 'DE', 'JP', 'CN', 'BR', 'IN', 'UA', 'KR', 'ZA', 'XX'];
const CONTRACT = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Re", "'rE", "'VE", "'M", "'LL",
    "'Ll", "'D", "’s", "’ll", "'x", "''", "'"];
const CONTRACT_BASE = ['it', 'IT', 'don', 'DON', 'we', 'We', 'they', 'I', 'you', 'she', 'John', 'O', 'rock', "n"];
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const UPUNCT = ['«', '»', '—', '–', '…', '“', '”', '‘', '’', '¿', '¡', '・', '。', '、', '「', '」', '【', '】', '※',
    '§', '¶', '†', '‡', '•', '°', '±', '×', '÷', '€', '£', '¥', '₿', '‰', '′', '″', '≈', '≠', '≤', '≥', '∞', '∑',
    '∫', '√', '∂', '∇', '→', '⇒', '↔', '∀', '∃', '∈', '⊂', '∪', '∩', '⟨', '⟩', '℃', '№', '㎏', '½', '²', '³', 'ª'];
const SPACES = [' ', ' ', ' ', '\t', '\n', '\n', '\r\n', '\r', '\u00a0', '\u3000', '\u2009', '\u200a', '\u2002',
    '\u202f', '\u205f', '\u000b', '\u000c', '\u0085', '\u2028', '\u2029', '\u1680'];
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u2060', '\u00ad', '\u034f', '\u180e', '\u200e', '\u200f',
    '\u202e', '\ufe0f', '\ufe0e'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\u0008', '\u001b', '\u001f', '\u007f', '\u0080', '\u009f', '\ufffd',
    '\ufffe', '\uffff', '\u{10ffff}', '\u{e0001}', '\u{f0000}'];
const SPECIAL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>',
    '<|endofprompt|>', '<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>',
    '<|eot_id|>', '<|reserved_special_token_0|>', '<|reserved_special_token_247|>', '<|python_tag|>',
    '<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>', '<｜fim▁hole｜>',
    '<｜tool▁calls▁begin｜>', '<｜place▁holder▁no▁7｜>', '<s>', '</s>', '<unk>', '<think>', '</think>',
    '<tool_call>', '</tool_call>', '<tool_response>', '<|vision_pad|>', '<|file_sep|>', '<|repo_name|>',
    '<|box_start|>', '<|object_ref_end|>',
    // near misses
    '<|endoftext|', '<|endoftext', '|endoftext|>', '<|ENDOFTEXT|>', '<| endoftext |>', '< s>', '<s >', '</s',
    '<|im_start|><|im_start|>', '<s></s><s>', '<<|endoftext|>>', '<|begin_of_text|><|begin_of_text|>',
    '<|begin▁of▁sentence|>', '<｜begin_of_sentence｜>', '<think></think>', '<0x41>', '<0x0A>', '<0xFF>'];
const MARKERS = ['▁', '▁▁', '▁the', 'Ġ', 'Ġthe', 'ĠĠ', 'Ċ', 'ĊĊ', 'ĉ', 'ð', 'Ã©', 'Ã', 'âĢĻ', '▁▁▁Hello', 'Hello▁world',
    '\u2581', '\u0120\u010a'];
const CODE = [
    'def f(x):\n    return x ** 2\n',
    'for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}\n',
    'if (x != NULL && *x == \'\\0\') return -1;',
    'const x = await fetch("https://example.com/api?q=1&r=2");',
    '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); }',
    '<div class="a"><p>Hello &amp; welcome</p></div>',
    'SELECT * FROM users WHERE id = 42 AND name LIKE \'%bob%\';',
    '    x = [i for i in range(10) if i % 2 == 0]\n',
    'fn main() -> Result<(), Box<dyn Error>> { Ok(()) }',
    '$ git commit -m "fix: off-by-one"\n$ ls -la ~/.config',
    '{"key": [1, 2.5e-3, null, true], "nested": {"a": "b"}}',
    'https://arxiv.org/abs/2401.12345v2',
    'user.name+tag@example.co.uk',
    '0x7fffffff 0b1010 1e-9 3.14159 -0.0 1,000,000.00',
    'a+=b;c-=d;e*=f;g/=h;i%=j;k<<=1;l>>=2;m&=n;o|=p;q^=r;',
    '/* comment */ // line\n# hash\n-- sql\n',
    '\t\t\tif True:\n\t\t\t\tpass\n',
];
const LATEX = [
    '$\\alpha + \\beta = \\gamma$',
    '\\begin{equation}\n  E = mc^2 \\label{eq:1}\n\\end{equation}',
    '\\frac{\\partial L}{\\partial \\theta_i} = \\sum_{j=1}^{N} x_{ij}',
    '\\mathbb{R}^{n \\times m}',
    '\\cite{vaswani2017attention}',
    '$$\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}$$',
    '\\section{Introduction}\\label{sec:intro}',
    '\\textbf{Theorem 1.} Let $f: X \\to Y$ be continuous.',
    '\\left( \\begin{array}{cc} a & b \\\\ c & d \\end{array} \\right)',
    '~\\ref{fig:2}, i.e.,~\\eqref{eq:loss}',
    '%% comment\n\\usepackage[utf8]{inputenc}',
];

function wordOf(list) {
    let w = pick(list);
    const r = rnd();
    if (r < 0.1) w = w.toUpperCase();
    else if (r < 0.2) w = w.charAt(0).toUpperCase() + w.slice(1);
    return w;
}

function words(list, lo, hi) {
    const n = int(lo, hi);
    const out = [];
    for (let i = 0; i < n; i++) out.push(wordOf(list));
    return out.join(chance(0.85) ? ' ' : pick(['', '  ', '\n', ', ', '. ']));
}

function randomCodePoint() {
    // A printable-ish code point from a wide range, astral planes included.
    const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x5ff], [0x600, 0x6ff],
        [0x900, 0x97f], [0xe00, 0xe7f], [0x1100, 0x11ff], [0x1e00, 0x1eff], [0x2000, 0x206f], [0x2100, 0x27bf],
        [0x3040, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0xe000, 0xe0ff], [0xf900, 0xfaff], [0xfb00, 0xfdff],
        [0xfe00, 0xfe6f], [0xff00, 0xffef], [0x10000, 0x1007f], [0x1d400, 0x1d7ff], [0x1f300, 0x1faff],
        [0x20000, 0x2a6df], [0x2f800, 0x2fa1f], [0xe0000, 0xe007f]];
    const r = pick(ranges);
    return cp(r[0], r[1]);
}

const GEN = [
    [8, () => words(LATIN, 1, 8)],
    [3, () => words(CYRILLIC, 1, 5)],
    [2, () => words(GREEK, 1, 4)],
    [3, () => chance(0.5) ? words(CJK_WORDS, 1, 4).replace(/ /g, chance(0.5) ? '' : ' ') : rep(int(1, 12), () => cp(0x4e00, 0x9fff))],
    [2, () => chance(0.5) ? words(JA_WORDS, 1, 4).replace(/ /g, '') : rep(int(1, 10), () => cp(0x3041, 0x30ff))],
    [2, () => chance(0.5) ? words(KO_WORDS, 1, 4) : rep(int(1, 8), () => cp(0xac00, 0xd7a3))],
    [1, () => words(ARABIC, 1, 4)],
    [1, () => words(HEBREW, 1, 4)],
    [1, () => words(DEVANAGARI, 1, 4)],
    [1, () => words(THAI, 1, 3).replace(/ /g, chance(0.5) ? '' : ' ')],
    [1, () => words(OTHER, 1, 3)],
    [3, () => rep(int(1, 4), () => pick(EMOJI))],
    [2, () => rep(int(1, 3), () => pick(SKIN_BASE) + String.fromCodePoint(pick(SKIN)) + (chance(0.3) ? '\u200d' + pick(['💻', '🚀', '🦱', '🤝\u200d🧑']) : ''))],
    [1, () => rep(int(1, 3), () => { const f = pick(FLAGS); return String.fromCodePoint(0x1f1e6 + f.charCodeAt(0) - 65, 0x1f1e6 + f.charCodeAt(1) - 65); })],
    [1, () => String.fromCodePoint(int(0x1f1e6, 0x1f1ff))], // lone regional indicator
    [3, () => { // combining marks, NFC vs NFD
        const base = pick(['e', 'a', 'o', 'u', 'n', 'c', 'E', 'A', 'i', 'z', 'ı', 'α', 'и', ' ', '1', 'ü']);
        const s = base + rep(int(1, 4), () => cp(0x300, 0x36f));
        return chance(0.3) ? s.normalize('NFC') : s;
    }],
    [2, () => { const w = wordOf(LATIN.concat(CYRILLIC, GREEK, ARABIC, HEBREW, DEVANAGARI)); return chance(0.5) ? w.normalize('NFD') : w.normalize(pick(['NFC', 'NFKC', 'NFKD'])); }],
    [4, () => rep(int(1, 24), () => pick(SPACES))], // whitespace runs
    [2, () => rep(int(2, 40), () => pick([' ', ' ', '\t', '\n']))],
    [1, () => pick(['\r\n', '\r', '\n\r', '\r\r\n']).repeat(int(1, 6))],
    [4, () => rep(int(1, 30), () => String.fromCharCode(48 + int(0, 9)))], // digit runs
    [1, () => rep(int(1, 8), () => cp(0x660, 0x669)) + ' ' + rep(int(1, 8), () => cp(0x966, 0x96f)) + ' ' + rep(int(1, 5), () => cp(0xff10, 0xff19)) + ' ' + rep(int(1, 3), () => cp(0x2460, 0x2473)) + cp(0x2150, 0x218b)],
    [4, () => wordOf(CONTRACT_BASE) + pick(CONTRACT) + (chance(0.5) ? pick(CONTRACT) : '') + (chance(0.5) ? ' ' + wordOf(LATIN) : '')],
    [3, () => rep(int(1, 12), () => PUNCT[int(0, PUNCT.length - 1)])],
    [2, () => rep(int(1, 6), () => pick(UPUNCT))],
    [3, () => pick(CODE)],
    [3, () => pick(LATEX)],
    [2, () => rep(int(1, 3), () => pick(ZERO_WIDTH)) + (chance(0.5) ? wordOf(LATIN) : '')],
    [1, () => pick(CONTROL)],
    [5, () => pick(SPECIAL)],
    [2, () => pick(MARKERS)],
    [3, () => rep(int(1, 6), randomCodePoint)],
    [1, () => pick(['a', 'ab', 'x', '=', '-', ' ', '0', '😀', '你', 'ا', 'aa ']).repeat(int(20, 200))],
    [1, () => (wordOf(LATIN) + ' ').repeat(int(5, 40))],
];
const GEN_TOTAL = GEN.reduce((s, g) => s + g[0], 0);

function fragment() {
    let r = rnd() * GEN_TOTAL;
    for (const [w, f] of GEN) {
        if (r < w) return f();
        r -= w;
    }
    return GEN[0][1]();
}

const JOIN = ['', ' ', ' ', ' ', '\n', '  ', '\t', '\n\n', ' \n', '\r\n', '. ', ', '];

function randomString(i) {
    // A few degenerate cases first, then random mixtures; every 50th string is long (a few KB).
    let n;
    if (i % 50 === 49) n = int(30, 80);
    else n = pick([1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8]);
    let s = '';
    for (let k = 0; k < n; k++) {
        if (k > 0) s += pick(JOIN);
        s += fragment();
    }
    if (chance(0.05)) s = ' ' + s;
    if (chance(0.05)) s = s + pick([' ', '\n', '  ', '\t']);
    return s;
}

function specialDense(i) {
    const n = int(1, 6);
    let s = '';
    for (let k = 0; k < n; k++) {
        if (k > 0 && chance(0.5)) s += pick(JOIN);
        s += chance(0.5) ? pick(SPECIAL) : fragment();
    }
    return i === 0 ? '' : s;
}

// Code points whose general category in Unicode 16.0 (the tables of the
// Oniguruma inside the reference library, measured by probing it with
// Split(\p{Xx}) pre-tokenizers for every category) differs from Unicode 14.0
// (Python 3.11 unicodedata; the tables of Debian 12's PCRE2 10.42): the
// characters added in Unicode 15.0, 15.1 and 16.0, plus U+1171E (Mn -> Mc).
// [first, last, category in 14.0, category in 16.0].
const UNICODE_NEW = [
    [0x897, 0x897, 'Cn', 'Mn'], [0xCF3, 0xCF3, 'Cn', 'Mc'], [0xECE, 0xECE, 'Cn', 'Mn'],
    [0x1B4E, 0x1B4F, 'Cn', 'Po'], [0x1B7F, 0x1B7F, 'Cn', 'Po'], [0x1C89, 0x1C89, 'Cn', 'Lu'],
    [0x1C8A, 0x1C8A, 'Cn', 'Ll'], [0x2427, 0x2429, 'Cn', 'So'], [0x2FFC, 0x2FFF, 'Cn', 'So'],
    [0x31E4, 0x31E5, 'Cn', 'So'], [0x31EF, 0x31EF, 'Cn', 'So'], [0xA7CB, 0xA7CC, 'Cn', 'Lu'],
    [0xA7CD, 0xA7CD, 'Cn', 'Ll'], [0xA7DA, 0xA7DA, 'Cn', 'Lu'], [0xA7DB, 0xA7DB, 'Cn', 'Ll'],
    [0xA7DC, 0xA7DC, 'Cn', 'Lu'], [0x105C0, 0x105F3, 'Cn', 'Lo'], [0x10D40, 0x10D49, 'Cn', 'Nd'],
    [0x10D4A, 0x10D4D, 'Cn', 'Lo'], [0x10D4E, 0x10D4E, 'Cn', 'Lm'], [0x10D4F, 0x10D4F, 'Cn', 'Lo'],
    [0x10D50, 0x10D65, 'Cn', 'Lu'], [0x10D69, 0x10D6D, 'Cn', 'Mn'], [0x10D6E, 0x10D6E, 'Cn', 'Pd'],
    [0x10D6F, 0x10D6F, 'Cn', 'Lm'], [0x10D70, 0x10D85, 'Cn', 'Ll'], [0x10D8E, 0x10D8F, 'Cn', 'Sm'],
    [0x10EC2, 0x10EC4, 'Cn', 'Lo'], [0x10EFC, 0x10EFF, 'Cn', 'Mn'], [0x1123F, 0x11240, 'Cn', 'Lo'],
    [0x11241, 0x11241, 'Cn', 'Mn'], [0x11380, 0x11389, 'Cn', 'Lo'], [0x1138B, 0x1138B, 'Cn', 'Lo'],
    [0x1138E, 0x1138E, 'Cn', 'Lo'], [0x11390, 0x113B5, 'Cn', 'Lo'], [0x113B7, 0x113B7, 'Cn', 'Lo'],
    [0x113B8, 0x113BA, 'Cn', 'Mc'], [0x113BB, 0x113C0, 'Cn', 'Mn'], [0x113C2, 0x113C2, 'Cn', 'Mc'],
    [0x113C5, 0x113C5, 'Cn', 'Mc'], [0x113C7, 0x113CA, 'Cn', 'Mc'], [0x113CC, 0x113CD, 'Cn', 'Mc'],
    [0x113CE, 0x113CE, 'Cn', 'Mn'], [0x113CF, 0x113CF, 'Cn', 'Mc'], [0x113D0, 0x113D0, 'Cn', 'Mn'],
    [0x113D1, 0x113D1, 'Cn', 'Lo'], [0x113D2, 0x113D2, 'Cn', 'Mn'], [0x113D3, 0x113D3, 'Cn', 'Lo'],
    [0x113D4, 0x113D5, 'Cn', 'Po'], [0x113D7, 0x113D8, 'Cn', 'Po'], [0x113E1, 0x113E2, 'Cn', 'Mn'],
    [0x116D0, 0x116E3, 'Cn', 'Nd'], [0x1171E, 0x1171E, 'Mn', 'Mc'], [0x11B00, 0x11B09, 'Cn', 'Po'],
    [0x11BC0, 0x11BE0, 'Cn', 'Lo'], [0x11BE1, 0x11BE1, 'Cn', 'Po'], [0x11BF0, 0x11BF9, 'Cn', 'Nd'],
    [0x11F00, 0x11F01, 'Cn', 'Mn'], [0x11F02, 0x11F02, 'Cn', 'Lo'], [0x11F03, 0x11F03, 'Cn', 'Mc'],
    [0x11F04, 0x11F10, 'Cn', 'Lo'], [0x11F12, 0x11F33, 'Cn', 'Lo'], [0x11F34, 0x11F35, 'Cn', 'Mc'],
    [0x11F36, 0x11F3A, 'Cn', 'Mn'], [0x11F3E, 0x11F3F, 'Cn', 'Mc'], [0x11F40, 0x11F40, 'Cn', 'Mn'],
    [0x11F41, 0x11F41, 'Cn', 'Mc'], [0x11F42, 0x11F42, 'Cn', 'Mn'], [0x11F43, 0x11F4F, 'Cn', 'Po'],
    [0x11F50, 0x11F59, 'Cn', 'Nd'], [0x11F5A, 0x11F5A, 'Cn', 'Mn'], [0x1342F, 0x1342F, 'Cn', 'Lo'],
    [0x13440, 0x13440, 'Cn', 'Mn'], [0x13441, 0x13446, 'Cn', 'Lo'], [0x13447, 0x13455, 'Cn', 'Mn'],
    [0x13460, 0x143FA, 'Cn', 'Lo'], [0x16100, 0x1611D, 'Cn', 'Lo'], [0x1611E, 0x16129, 'Cn', 'Mn'],
    [0x1612A, 0x1612C, 'Cn', 'Mc'], [0x1612D, 0x1612F, 'Cn', 'Mn'], [0x16130, 0x16139, 'Cn', 'Nd'],
    [0x16D40, 0x16D42, 'Cn', 'Lm'], [0x16D43, 0x16D6A, 'Cn', 'Lo'], [0x16D6B, 0x16D6C, 'Cn', 'Lm'],
    [0x16D6D, 0x16D6F, 'Cn', 'Po'], [0x16D70, 0x16D79, 'Cn', 'Nd'], [0x18CFF, 0x18CFF, 'Cn', 'Lo'],
    [0x1B132, 0x1B132, 'Cn', 'Lo'], [0x1B155, 0x1B155, 'Cn', 'Lo'], [0x1CC00, 0x1CCEF, 'Cn', 'So'],
    [0x1CCF0, 0x1CCF9, 'Cn', 'Nd'], [0x1CD00, 0x1CEB3, 'Cn', 'So'], [0x1D2C0, 0x1D2D3, 'Cn', 'No'],
    [0x1DF25, 0x1DF2A, 'Cn', 'Ll'], [0x1E030, 0x1E06D, 'Cn', 'Lm'], [0x1E08F, 0x1E08F, 'Cn', 'Mn'],
    [0x1E4D0, 0x1E4EA, 'Cn', 'Lo'], [0x1E4EB, 0x1E4EB, 'Cn', 'Lm'], [0x1E4EC, 0x1E4EF, 'Cn', 'Mn'],
    [0x1E4F0, 0x1E4F9, 'Cn', 'Nd'], [0x1E5D0, 0x1E5ED, 'Cn', 'Lo'], [0x1E5EE, 0x1E5EF, 'Cn', 'Mn'],
    [0x1E5F0, 0x1E5F0, 'Cn', 'Lo'], [0x1E5F1, 0x1E5FA, 'Cn', 'Nd'], [0x1E5FF, 0x1E5FF, 'Cn', 'Po'],
    [0x1F6DC, 0x1F6DC, 'Cn', 'So'], [0x1F774, 0x1F776, 'Cn', 'So'], [0x1F77B, 0x1F77F, 'Cn', 'So'],
    [0x1F7D9, 0x1F7D9, 'Cn', 'So'], [0x1F8B2, 0x1F8BB, 'Cn', 'So'], [0x1F8C0, 0x1F8C1, 'Cn', 'So'],
    [0x1FA75, 0x1FA77, 'Cn', 'So'], [0x1FA87, 0x1FA89, 'Cn', 'So'], [0x1FA8F, 0x1FA8F, 'Cn', 'So'],
    [0x1FAAD, 0x1FAAF, 'Cn', 'So'], [0x1FABB, 0x1FABF, 'Cn', 'So'], [0x1FAC6, 0x1FAC6, 'Cn', 'So'],
    [0x1FACE, 0x1FACF, 'Cn', 'So'], [0x1FADA, 0x1FADC, 'Cn', 'So'], [0x1FADF, 0x1FADF, 'Cn', 'So'],
    [0x1FAE8, 0x1FAE9, 'Cn', 'So'], [0x1FAF7, 0x1FAF8, 'Cn', 'So'], [0x1FBCB, 0x1FBEF, 'Cn', 'So'],
    [0x2B739, 0x2B739, 'Cn', 'Lo'], [0x2EBF0, 0x2EE5D, 'Cn', 'Lo'], [0x31350, 0x323AF, 'Cn', 'Lo'],
];

// --unicode-new strings: each range's characters between letters, digits,
// spaces and punctuation, and the new canonical compositions (Garay,
// Tulu-Tigalari, Gurung Khema, Kirat Rai) in composed and decomposed form.
function unicodeNewStrings() {
    const ctx = [(x) => 'a' + x + 'b', (x) => ' ' + x + x, (x) => '1' + x + '23', (x) => x + '!', (x) => '(' + x + ') x',
        (x) => 'x ' + x + '\n', (x) => x, (x) => '\u00e9' + x + '\u0301', (x) => '\u4e00' + x + '\u3042'];
    const out = [];
    for (const [a, b] of UNICODE_NEW) {
        const x = String.fromCodePoint(int(a, b)) + (chance(0.3) ? String.fromCodePoint(int(a, b)) : '');
        out.push(pick(ctx)(x));
    }
    // Characters whose NFC/NFKC mapping the reference lacks: its
    // unicode-normalization-alignments tables predate Unicode 12 (measured:
    // every code point through its NFC/NFD/NFKC/NFKD normalizers), so it
    // leaves U+11935 U+11930 (-> U+11938, Unicode 13) uncomposed and these
    // compatibility characters (Unicode 12.0-15.0) unmapped under NFKC; nor
    // does it know the combining classes of 108 marks added since (U+07FD,
    // U+0898-089F, U+1ABF-1ACE, U+1DF6-1DFA, U+1E130-1E136, ...): it does not
    // reorder them canonically.
    for (const m of ['\u07fd', '\u089a', '\u1ac0', '\u1df7', '\u{1e130}', '\u{1e4ec}', '\u{10d24}']) {
        out.push('a' + m + '\u0334', 'e\u0345' + m + ' x', 'o' + m + '\u0301\u0323');
    }
    for (const x of ['\u{11935}\u{11930}', 'a\u{11935}\u{11930}b \u{11938}', '\u{32ff}', '\ua7f2\ua7f3\ua7f4', '\uab69',
        '\u{10781}\u{107ba}', 'x\u{1e030}\u{1e06d}', '\u{1f16c}', '\u{1fbf0}\u{1fbf9} 12']) out.push(x);
    for (const [a, b] of UNICODE_NEW) {
        for (let c = a; c <= b; c++) {
            const x = String.fromCodePoint(c);
            const d = x.normalize('NFD');
            if (d !== x) out.push(x, d, 'a' + d + ' ' + x + 'b');
        }
    }
    return out;
}

// split_special_tokens: the NAPI binding has no setter for the Rust
// `AddedVocabulary::encode_special_tokens` flag, so it is emulated: the
// tokenizer.json is loaded with the content of every special added token
// prefixed by SPLIT_MARK, a string that no generated text contains (checked),
// or, for a special token that is also in the model vocabulary, without it,
// so special tokens never match while every added token keeps its place (Rust
// numbers added tokens that are not in the model vocabulary in order of
// appearance, ignoring their "id"; dropping them would shift the ids of the
// non-special ones that follow: checked below, every non-special added token
// keeps its id). Rust with encode_special_tokens skips the special matches of
// the same leftmost-longest scan, so the two can differ only where a special
// token's text overlaps a non-special added token's text; overlapping pairs
// are counted and named in the source line (none in the six families).
// Decoding uses the unmodified tokenizer (special ids must still decode).
const SPLIT_MARK = '\u{f8ff}\u{e0ff}\u{fdd0}';

function splitSpecialJson(jsonText) {
    const j = JSON.parse(jsonText);
    const vocab = (j.model && j.model.vocab && !Array.isArray(j.model.vocab)) ? j.model.vocab : {};
    // A special token that is also in the model vocabulary takes its id from
    // there: drop it (renaming it would append a new id and shift the rest).
    j.added_tokens = j.added_tokens.filter((t) => !(t.special && Object.prototype.hasOwnProperty.call(vocab, t.content)));
    for (const t of j.added_tokens) if (t.special) t.content = SPLIT_MARK + t.content;
    return JSON.stringify(j);
}

// Pairs (special, non-special) of added tokens whose texts can overlap in a
// string: one contains the other, or a suffix of one is a prefix of the other.
function overlappingPairs(jsonText) {
    const added = JSON.parse(jsonText).added_tokens;
    const sp = added.filter((t) => t.special).map((t) => t.content);
    const ns = added.filter((t) => !t.special).map((t) => t.content);
    const overlap = (x, y) => {
        if (x.includes(y) || y.includes(x)) return true;
        for (let k = 1; k < Math.min(x.length, y.length); k++)
            if (x.endsWith(y.slice(0, k)) || y.endsWith(x.slice(0, k))) return true;
        return false;
    };
    const out = [];
    for (const a of sp) for (const b of ns) if (overlap(a, b)) out.push([a, b]);
    return out;
}

function checkSplitTokenizer(orig, mod, jsonText, file) {
    for (const t of JSON.parse(jsonText).added_tokens) {
        if (t.special) continue;
        const a = orig.tokenToId(t.content), b = mod.tokenToId(t.content);
        if (a !== t.id || b !== t.id) {
            throw new Error(file + ': split_special emulation moves non-special added token ' +
                JSON.stringify(t.content) + ' (id ' + t.id + ': original ' + a + ', modified ' + b + ')');
        }
    }
}

// --decode-random: decode random id sequences (not produced by encode):
// byte tokens that do not form valid UTF-8, byte-fallback pieces, special and
// non-special added tokens anywhere, ids anywhere in the vocabulary.
async function decodeRandom(args, Tokenizer) {
    fs.mkdirSync(args.out, { recursive: true });
    const fams = args.families || FAMILIES.map((f) => [f, path.join(args.testdata, f)]);
    for (let fi = 0; fi < fams.length; fi++) {
        const [fam, dir] = fams[fi];
        const file = path.join(dir, 'tokenizer.json');
        const tok = Tokenizer.fromFile(file);
        const added = JSON.parse(fs.readFileSync(file, 'utf8')).added_tokens.map((t) => t.id);
        const n = tok.getVocabSize(true);
        rnd = mulberry32((args.seed ^ Math.imul(fi + 1, 0x9e3779b1)) >>> 0);
        const cmd = 'node tests/xref/tokenizer/gen.js --seed ' + args.seed + ' --count ' + args.count + ' --decode-random';
        const lines = [JSON.stringify({
            source: TOOL + ' on ' + (args.families ? file : fam + '/tokenizer.json (../shared/testdata/tokenizers)') +
                '; node ' + process.version + '; command: ' + cmd + '; seed ' + args.seed + ' xor (family index + 1) * 0x9e3779b1, ' +
                args.count + ' random id sequences (mulberry32: ids < 300 (byte tokens), added-token ids, any id < ' + n +
                '); decoded = decode(ids, skip_special false), decoded_skip_special = decode(ids, true)',
        })];
        for (let i = 0; i < args.count; i++) {
            const len = i === 0 ? 0 : chance(0.1) ? int(20, 80) : int(1, 12);
            const ids = [];
            for (let k = 0; k < len; k++) {
                const r = rnd();
                if (r < 0.45) ids.push(int(0, 299));
                else if (r < 0.6) ids.push(pick(added));
                else ids.push(int(0, n - 1));
            }
            lines.push(JSON.stringify({ ids, decoded: await tok.decode(ids, false), decoded_skip_special: await tok.decode(ids, true) }));
        }
        const name = fam + '_decode_random.jsonl';
        fs.writeFileSync(path.join(args.out, name), lines.join('\n') + '\n');
        console.error('gen.js: wrote ' + path.join(args.out, name) + ' (' + args.count + ' id sequences)');
    }
}

// --datasets: the real texts of ../shared/testdata/datasets/ (arXiv LaTeX,
// StackExchange threads, reasoning transcripts), every line of arxiv.jsonl and
// every Nth line (--every, default 8) of the other two, stored compactly: per
// document the number of ids of encode(text, addSpecialTokens false) and the
// first 16 hex digits of the SHA-256 of those ids as little-endian uint32.
const DATASETS = ['arxiv.jsonl', 'stackexchange.jsonl', 'reasoning.jsonl'];

async function datasets(args, Tokenizer) {
    const crypto = require('crypto');
    const root = path.join(args.testdata, '..', 'datasets');
    const docs = [];
    for (const f of DATASETS) {
        const lines = fs.readFileSync(path.join(root, f), 'utf8').split('\n');
        for (let i = 0; i < lines.length; i++) {
            if (!lines[i].length || (f !== 'arxiv.jsonl' && i % args.every !== 0)) continue;
            docs.push({ f, l: i + 1, text: JSON.parse(lines[i]).text });
        }
    }
    fs.mkdirSync(args.out, { recursive: true });
    const fams = args.families || FAMILIES.map((f) => [f, path.join(args.testdata, f)]);
    for (const [fam, dir] of fams) {
        const file = path.join(dir, 'tokenizer.json');
        const tok = Tokenizer.fromFile(file);
        const out = [JSON.stringify({
            source: TOOL + ' on ' + (args.families ? file : fam + '/tokenizer.json (../shared/testdata/tokenizers)') +
                '; node ' + process.version + '; command: node tests/xref/tokenizer/gen.js --datasets --every ' + args.every +
                '; texts: ../shared/testdata/datasets/{' + DATASETS.join(',') + '} (arxiv: every line; the others: line 1, ' +
                (1 + args.every) + ', ...); per document f (file), l (1-based line), n = number of ids of ' +
                'encode(text, addSpecialTokens false), h = first 16 hex digits of sha256(ids as little-endian uint32)',
        })];
        for (const d of docs) {
            const ids = Array.from((await tok.encode(d.text, null, { addSpecialTokens: false })).getIds());
            const buf = Buffer.alloc(4 * ids.length);
            ids.forEach((v, i) => buf.writeUInt32LE(v >>> 0, 4 * i));
            const h = crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16);
            out.push(JSON.stringify({ f: d.f, l: d.l, n: ids.length, h }));
        }
        const name = fam + '_datasets.jsonl';
        fs.writeFileSync(path.join(args.out, name), out.join('\n') + '\n');
        console.error('gen.js: wrote ' + path.join(args.out, name) + ' (' + docs.length + ' documents)');
    }
}

async function main() {
    const args = parseArgs();
    let Tokenizer;
    try {
        ({ Tokenizer } = require('@anush008/tokenizers'));
    } catch (e) {
        console.error('gen.js: cannot load @anush008/tokenizers (run `npm ci` in tests/xref/tokenizer): ' + e.message);
        process.exit(1);
    }
    if (args.decodeRandom) return decodeRandom(args, Tokenizer);
    if (args.datasets) return datasets(args, Tokenizer);
    rnd = mulberry32(args.seed);
    const texts = [];
    if (args.unicodeNew) {
        texts.push(...unicodeNewStrings());
    } else {
        for (let i = 0; i < args.count; i++) texts.push(args.splitSpecial ? specialDense(i) : randomString(i));
        if (!args.splitSpecial) texts[0] = '';
    }
    for (const t of texts) if (t.includes(SPLIT_MARK)) throw new Error('a generated text contains SPLIT_MARK');
    fs.mkdirSync(args.out, { recursive: true });
    const cmd = 'node tests/xref/tokenizer/gen.js --seed ' + args.seed +
        (args.unicodeNew ? ' --unicode-new' : ' --count ' + args.count) + (args.splitSpecial ? ' --split-special' : '');
    const fams = args.families || FAMILIES.map((f) => [f, path.join(args.testdata, f)]);
    for (const [fam, dir] of fams) {
        const file = path.join(dir, 'tokenizer.json');
        const tok = Tokenizer.fromFile(file);
        let enc = tok, overlaps = [];
        if (args.splitSpecial) {
            const jsonText = fs.readFileSync(file, 'utf8');
            enc = Tokenizer.fromString(splitSpecialJson(jsonText));
            checkSplitTokenizer(tok, enc, jsonText, file);
            overlaps = overlappingPairs(jsonText);
        }
        const source = {
            source: TOOL + ' on ' + (args.families ? file : fam + '/tokenizer.json (../shared/testdata/tokenizers)') + '; node ' + process.version +
                '; command: ' + cmd + '; seed ' + args.seed + ', ' + texts.length + ' strings (mulberry32); ' +
                (args.unicodeNew ? 'characters new in Unicode 15.0-16.0 (table UNICODE_NEW in gen.js); ' : '') +
                (args.splitSpecial
                    ? 'split_special_tokens emulated by prefixing special added tokens with U+F8FF U+E0FF U+FDD0 ' +
                      '(dropping those in the model vocabulary) before encoding; special/non-special overlapping pairs: ' + overlaps.length +
                      (overlaps.length ? ' ' + JSON.stringify(overlaps.slice(0, 5)) : '') + '; '
                    : '') +
                'ids = encode(addSpecialTokens false), ids_with_special = encode(addSpecialTokens true), ' +
                'decoded = decode(ids, skip_special false), decoded_skip_special = decode(ids_with_special, true)',
        };
        const lines = [JSON.stringify(source)];
        for (const text of texts) {
            const e0 = await enc.encode(text, null, { addSpecialTokens: false });
            const e1 = await enc.encode(text, null, { addSpecialTokens: true });
            const ids = Array.from(e0.getIds());
            const idsS = Array.from(e1.getIds());
            lines.push(JSON.stringify({
                text,
                ids,
                ids_with_special: idsS,
                decoded: await tok.decode(ids, false),
                decoded_skip_special: await tok.decode(idsS, true),
            }));
        }
        const name = fam + (args.splitSpecial ? '_split_special.jsonl' : args.unicodeNew ? '_unicode16.jsonl' : '_random.jsonl');
        fs.writeFileSync(path.join(args.out, name), lines.join('\n') + '\n');
        console.error('gen.js: wrote ' + path.join(args.out, name) + ' (' + texts.length + ' strings)');
    }
}

main().catch((e) => { console.error(e); process.exit(1); });
