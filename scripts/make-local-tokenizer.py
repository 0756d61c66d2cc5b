#!/usr/bin/env python3
"""make-local-tokenizer.py: train the small byte-level BPE tokenizer that the
embedded local subnet uses (assets/local-tokenizer/), from the shipped offline
corpus. Plain Python 3, no packages; deterministic (same corpus -> same file).

    scripts/make-local-tokenizer.py --vocab 1024 --out assets/local-tokenizer corpus/*.jsonl

Writes tokenizer.json (Hugging Face format: ByteLevel pre-tokenizer with the
GPT-2 split regex, BPE model, ByteLevel decoder, one special token
<|endoftext|>) and tokenizer_config.json. Training splits words with an
approximation of the GPT-2 regex (Python's re has no \\p{L}); that only affects
which merges are learned, not how the finished tokenizer splits text.
"""
import argparse
import collections
import json
import os
import re

# Approximates the GPT-2 split regex that the ByteLevel pre-tokenizer applies:
# 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
APPROX = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--out", required=True)
    ap.add_argument("corpus", nargs="+")
    a = ap.parse_args()

    b2u = bytes_to_unicode()
    words = collections.Counter()
    for path in a.corpus:
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                text = row.get("text") or row.get("content") or ""
                for w in APPROX.findall(text):
                    words["".join(b2u[b] for b in w.encode("utf-8"))] += 1

    alphabet = [b2u[b] for b in range(256)]
    vocab = {c: i for i, c in enumerate(alphabet)}
    seqs = {w: list(w) for w in words}
    merges = []
    n_merges = a.vocab - 256 - 1  # one id for <|endoftext|>
    while len(merges) < n_merges:
        pairs = collections.Counter()
        for w, c in words.items():
            s = seqs[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += c
        if not pairs:
            break
        # most frequent pair; ties broken by the pair's text so the result is deterministic
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merged = best[0] + best[1]
        merges.append(best)
        vocab[merged] = len(vocab)
        for w in words:
            s = seqs[w]
            if len(s) < 2:
                continue
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == best[0] and s[i + 1] == best[1]:
                    out.append(merged)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out

    eos_id = len(vocab)
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": eos_id, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [p[0] + " " + p[1] for p in merges]},
    }
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "<|endoftext|>", "bos_token": None,
           "pad_token": None, "model_max_length": 4096, "clean_up_tokenization_spaces": False,
           "add_bos_token": False, "add_eos_token": False}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=1)
        f.write("\n")
    print(f"{a.out}: {len(vocab)} BPE tokens ({len(merges)} merges) + <|endoftext|> = {eos_id + 1}")


if __name__ == "__main__":
    main()
