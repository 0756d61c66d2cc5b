#!/usr/bin/env python3
"""data_corpus.py: builds corpus/*.jsonl, the offline evaluation corpus, from
../shared/testdata/datasets/*.jsonl (see corpus/README.md). Lines are copied
byte for byte; only whole records are selected:
  arxiv.jsonl          arxiv-000, -003, -004, -005 (licences granted by the repositories)
  stackexchange.jsonl  the first coffee.stackexchange.com threads (se-0000..) that fit in 300 000 bytes (CC BY-SA 3.0)
  reasoning.jsonl      the first records (reasoning-0000..) that fit in 300 000 bytes (Apache-2.0 responses, MIT prompts)
Run from the repository root: python3 scripts/data_corpus.py"""
import hashlib
import json
import os

SRC = os.path.join("..", "shared", "testdata", "datasets")
DST = "corpus"
LIMIT = 300_000


def pick(name, keep):
    out, total, ids = [], 0, []
    with open(os.path.join(SRC, name), "rb") as f:
        for raw in f:
            meta = json.loads(raw)["meta"]
            k = keep(meta, total + len(raw))
            if k == "stop":
                break
            if not k:
                continue
            out.append(raw)
            total += len(raw)
            ids.append(meta["id"])
    data = b"".join(out)
    with open(os.path.join(DST, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(out)} records ({ids[0]} .. {ids[-1]}), {len(data)} bytes, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")


os.makedirs(DST, exist_ok=True)
pick("arxiv.jsonl", lambda m, t: m["id"] in ("arxiv-000", "arxiv-003", "arxiv-004", "arxiv-005"))
pick("stackexchange.jsonl", lambda m, t: "stop" if t > LIMIT or m.get("site") != "coffee.stackexchange.com" else True)
pick("reasoning.jsonl", lambda m, t: "stop" if t > LIMIT else True)
