#!/usr/bin/python3
"""torch_forward.py: the PyTorch side of bench_forward's comparison.

The same synthetic Llama-3.2-1B-shaped model as bench/bench_forward.c
(hidden 2048, 32/8 heads, head_dim 64, intermediate 8192, rope theta 500000,
untied LM head; --layers and --vocab as there), random weights, a plain
forward written with torch.nn.functional ops under torch.inference_mode():
embedding, RMSNorm, q/k/v projections, rotate-half RoPE, grouped-query causal
attention (matmul + masked softmax), SwiGLU MLP, final norm, all logits
and the next-token cross-entropy. Prints one row per (dtype, seq) with the
median time of --reps runs (after one warm-up) and min..max GFLOP/s, counting
FLOPs exactly as bench_forward does (2 x matmul params x T + causal
attention 2 x 2 x layers x heads x head_dim x T^2 / 2).

  /usr/bin/python3 bench/torch_forward.py [--layers 2] [--seq 512] [--dtypes f32,bf16]
                                 [--threads N] [--reps 3] [--vocab 32000]

dtype bf16 means every parameter and activation in torch.bfloat16 (the usual
way to run a bf16 checkpoint in PyTorch), with logits cast to float32 for
the cross-entropy; f32 is float32 throughout.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

D, H, KV, HD, I = 2048, 32, 8, 64, 8192


def rms(x, w, eps=1e-5):
    xf = x.float()
    return (w.float() * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps))).to(x.dtype)


def rope_tables(T, dtype):
    inv = 1.0 / (500000.0 ** (torch.arange(0, HD, 2, dtype=torch.float32) / HD))
    f = torch.outer(torch.arange(T, dtype=torch.float32), inv)
    e = torch.cat([f, f], dim=-1)
    return e.cos().to(dtype), e.sin().to(dtype)


def rot(x, cos, sin):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


def forward(p, tokens, layers):
    T = tokens.shape[0]
    x = F.embedding(tokens, p["embed"])
    cos, sin = rope_tables(T, x.dtype)
    mask = torch.full((T, T), float("-inf"), dtype=x.dtype).triu(1)
    for l in range(layers):
        L = p["layers"][l]
        h = rms(x, L["in_norm"])
        q = F.linear(h, L["q"]).view(T, H, HD).transpose(0, 1)
        k = F.linear(h, L["k"]).view(T, KV, HD).transpose(0, 1)
        v = F.linear(h, L["v"]).view(T, KV, HD).transpose(0, 1)
        q, k = rot(q, cos, sin), rot(k, cos, sin)
        k = k.repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        s = torch.matmul(q, k.transpose(1, 2)) * (HD ** -0.5) + mask
        a = torch.matmul(F.softmax(s.float(), dim=-1).to(x.dtype), v)
        x = x + F.linear(a.transpose(0, 1).reshape(T, H * HD), L["o"])
        h = rms(x, L["post_norm"])
        x = x + F.linear(F.silu(F.linear(h, L["gate"])) * F.linear(h, L["up"]), L["down"])
    logits = F.linear(rms(x, p["norm"]), p["lm_head"]).float()
    return F.cross_entropy(logits[:-1], tokens[1:])


def build(layers, vocab, dtype, g):
    def r(*shape, s=0.05):
        return ((torch.rand(*shape, generator=g) - 0.5) * s).to(dtype)

    def n():
        return (1.0 + r(D, s=0.1).float()).to(dtype)

    return {
        "embed": r(vocab, D, s=1.0), "norm": n(), "lm_head": r(vocab, D),
        "layers": [{"in_norm": n(), "post_norm": n(), "q": r(H * HD, D), "k": r(KV * HD, D), "v": r(KV * HD, D),
                    "o": r(D, H * HD), "gate": r(I, D), "up": r(I, D), "down": r(D, I)} for _ in range(layers)],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--seq", default="512")
    ap.add_argument("--dtypes", default="f32,bf16")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--vocab", type=int, default=32000)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    params = (a.vocab * D * 2 + D + a.layers * (2 * D + D * H * HD + 2 * D * KV * HD + H * HD * D + 3 * D * I))
    mm = params - a.vocab * D
    print(f"torch {torch.__version__}, synthetic llama: hidden 2048, {a.layers} layers, 32/8 heads, intermediate 8192,"
          f" vocab {a.vocab}: {params / 1e9:.3f} B params; {torch.get_num_threads()} threads")
    print(f"{'dtype':<6} {'seq':>6} {'seconds':>9} {'tok/s':>10} {'GFLOP/s':>10} {'min..max':>17} {'CE':>9}")
    g = torch.Generator().manual_seed(1)
    with torch.inference_mode():
        for d in a.dtypes.split(","):
            p = build(a.layers, a.vocab, torch.float32 if d == "f32" else torch.bfloat16, g)
            for s in a.seq.split(","):
                T = int(s)
                tok = torch.tensor([(i * 7919 + 13) % a.vocab for i in range(T)], dtype=torch.long)
                forward(p, tok, a.layers)  # warm-up
                ts = []
                for _ in range(a.reps):
                    t0 = time.perf_counter()
                    ce = forward(p, tok, a.layers)
                    ts.append(time.perf_counter() - t0)
                fl = 2.0 * mm * T + 2.0 * a.layers * H * HD * T * T
                med = statistics.median(ts)
                spread = f"{fl / max(ts) / 1e9:.1f}..{fl / min(ts) / 1e9:.1f}"
                print(f"{d:<6} {T:>6} {med:>9.3f} {T / med:>10.1f} {fl / med / 1e9:>10.1f} {spread:>17} {ce.item():>9.4f}",
                      flush=True)


if __name__ == "__main__":
    main()
