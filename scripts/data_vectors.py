#!/usr/bin/env python3
"""data_vectors.py: writes tests/vectors/data/rng.txt from CPython's `random`
module (MT19937), the generator the reference loaders use. The C RNG of
src/data/rng.c must reproduce every line. Run: python3 scripts/data_vectors.py"""
import hashlib
import os
import random
import sys

out = os.path.join(os.path.dirname(__file__), "..", "tests", "vectors", "data", "rng.txt")
lines = [f"# source: CPython {sys.version.split()[0]} random module, scripts/data_vectors.py"]

def put(k, v):
    lines.append(f"{k} = {v}")

def ints(xs):
    return " ".join(str(x) for x in xs)

r = random.Random(0)
put("seed0_u32", ints(r.getrandbits(32) for _ in range(8)))
r = random.Random(42)
put("seed42_arxiv_pages", ints(r.randint(1, 15555) for _ in range(10)))
r = random.Random(2**40 + 5)
put("seed2p40p5_stackexchange_pages", ints(r.randint(1, 252808) for _ in range(10)))
r = random.Random(7)
put("seed7_bits", ints([r.getrandbits(1), r.getrandbits(17), r.getrandbits(33), r.getrandbits(40), r.getrandbits(64)]))
r = random.Random(3)
put("seed3_random", " ".join(repr(r.random()) for _ in range(3)))
# The loader flow: seed, 10 pages, then shuffle the window order with the same generator.
r = random.Random(12345)
pages = [r.randint(1, 221994) for _ in range(10)]
w = list(range(37))
r.shuffle(w)
put("flow12345_reasoning_pages", ints(pages))
put("flow12345_shuffle37", ints(w))
# Two page sets (5.5 retry), then a shuffle of 5 windows.
r = random.Random(99)
p1 = [r.randint(1, 8) for _ in range(10)]
p2 = [r.randint(1, 8) for _ in range(10)]
w = list(range(5))
r.shuffle(w)
put("flow99_pages1_max8", ints(p1))
put("flow99_pages2_max8", ints(p2))
put("flow99_shuffle5", ints(w))
# Seed-from-block: sha256 of the block hash string, as an integer.
h = "0x8a2c5b7e0f4c1d3e6a9b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"
seed = int(hashlib.sha256(h.encode()).hexdigest(), 16)
r = random.Random(seed)
put("blockhash", h)
put("blockhash_seed_hex", f"{seed:064x}")
put("blockhash_arxiv_pages", ints(r.randint(1, 15555) for _ in range(10)))
# A seed with leading zero bytes (fewer than 8 words) and seed 0.
r = random.Random(int("00000000ff" + "11" * 27, 16))
put("lz_seed_u32", ints(r.getrandbits(32) for _ in range(4)))
# CLI test: aif data show --data corpus --dataset reasoning --seed 1 --pages 2 (50 rows in the corpus file)
r = random.Random(1)
put("seed1_max50_pages2", ints(r.randint(1, 50) for _ in range(2)))
# CLI test: aif data fetch --seed 42 --pages 3 for stackexchange
r = random.Random(42)
put("seed42_stackexchange_pages3", ints(r.randint(1, 252808) for _ in range(3)))
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", out)
