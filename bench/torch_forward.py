#!/usr/bin/python3
"""torch_forward.py: the PyTorch side of bench_forward's comparison.

A plain Llama forward written with torch.nn.functional ops under
torch.inference_mode(): embedding, RMSNorm (float32 statistics, as
transformers' LlamaRMSNorm), q/k/v projections, rotate-half RoPE (theta from
config.json, inv_freq in float32), grouped-query causal attention (matmul +
masked softmax in float32), SwiGLU MLP, final norm, ALL logits and the
next-token cross-entropy (mean over T-1 positions, logits cast to float32).

With --weights BASE it reads the files bench_forward writes
(bench_forward --make-weights prints BASE/bf16 and BASE/f32): the shape from
BASE/<dtype>/config.json and the tensors from BASE/<dtype>/model.safetensors
through a tiny reader (numpy memmap, no copy), so it scores the same tokens
((i * 7919 + 13) mod V) with the same weights as bench_forward and the mean
cross-entropies can be compared. Without --weights it makes random weights
of issue 6's shape (--layers, --vocab).

dtype bf16 means every parameter and activation in torch.bfloat16 (the usual
way to run a bf16 checkpoint in PyTorch); f32 is float32 throughout.

Each (dtype, threads, seq) row: --warmup untimed runs, then --reps timed
runs; median wall time (time.perf_counter), min..max GFLOP/s, median process
CPU time, counting FLOPs exactly as bench_forward does (2 x (parameters
minus the embedding table) x T + causal attention 2 x 2 x layers x heads x
head_dim x T^2 / 2). --machine also prints one JSON line per row ("#R {...}").

  /usr/bin/python3 bench/torch_forward.py [--weights BASE] [--layers 2] [--vocab 128256] [--seq 512]
        [--dtypes f32,bf16] [--threads 1,2] [--reps 3] [--warmup 1] [--machine]
"""
import argparse
import json
import os
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F


class Shape:
    def __init__(self, cfg):
        self.D = cfg["hidden_size"]
        self.I = cfg["intermediate_size"]
        self.L = cfg["num_hidden_layers"]
        self.H = cfg["num_attention_heads"]
        self.KV = cfg.get("num_key_value_heads", self.H)
        self.HD = cfg.get("head_dim", self.D // self.H)
        self.V = cfg["vocab_size"]
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.theta = cfg.get("rope_theta", 10000.0)

    def params(self):
        D, Q, KV = self.D, self.H * self.HD, self.KV * self.HD
        return self.V * D * 2 + D + self.L * (2 * D + D * Q + 2 * D * KV + Q * D + 3 * D * self.I)


def read_safetensors(path):
    """name -> torch tensor viewing the file (copy-on-write memmap)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        hdr = json.loads(f.read(n))
    out = {}
    np_dt = {"BF16": np.int16, "F32": np.float32, "F16": np.float16}
    for name, t in hdr.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        shape = tuple(t["shape"])
        if a == b:
            out[name] = torch.zeros(shape)
            continue
        arr = np.memmap(path, dtype=np_dt[t["dtype"]], mode="c", offset=8 + n + a, shape=shape)
        x = torch.from_numpy(arr)
        out[name] = x.view(torch.bfloat16) if t["dtype"] == "BF16" else x
    return out


def load(base, d, dtype):
    mdir = os.path.join(base, d)
    if not os.path.exists(os.path.join(mdir, "model.safetensors")):
        mdir = os.path.join(base, "bf16")
    with open(os.path.join(mdir, "config.json")) as f:
        s = Shape(json.load(f))
    t = read_safetensors(os.path.join(mdir, "model.safetensors"))

    def g(name):
        x = t[name]
        return x if x.dtype == dtype else x.to(dtype)

    p = {"embed": g("model.embed_tokens.weight"), "norm": g("model.norm.weight"),
         "lm_head": g("lm_head.weight") if "lm_head.weight" in t else g("model.embed_tokens.weight"), "layers": []}
    for l in range(s.L):
        pre = f"model.layers.{l}."
        p["layers"].append({
            "in_norm": g(pre + "input_layernorm.weight"), "post_norm": g(pre + "post_attention_layernorm.weight"),
            "q": g(pre + "self_attn.q_proj.weight"), "k": g(pre + "self_attn.k_proj.weight"),
            "v": g(pre + "self_attn.v_proj.weight"), "o": g(pre + "self_attn.o_proj.weight"),
            "gate": g(pre + "mlp.gate_proj.weight"), "up": g(pre + "mlp.up_proj.weight"),
            "down": g(pre + "mlp.down_proj.weight")})
    return s, p, mdir


def build_random(s, dtype, gen):
    def r(*shape, sc=0.05):
        return ((torch.rand(*shape, generator=gen) - 0.5) * sc).to(dtype)

    def n():
        return (1.0 + r(s.D, sc=0.1).float()).to(dtype)

    Q, KV = s.H * s.HD, s.KV * s.HD
    return {"embed": r(s.V, s.D, sc=1.0), "norm": n(), "lm_head": r(s.V, s.D),
            "layers": [{"in_norm": n(), "post_norm": n(), "q": r(Q, s.D), "k": r(KV, s.D), "v": r(KV, s.D),
                        "o": r(s.D, Q), "gate": r(s.I, s.D), "up": r(s.I, s.D), "down": r(s.D, s.I)}
                       for _ in range(s.L)]}


def rms(x, w, eps):
    xf = x.float()
    return w * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


def rope_tables(s, T, dtype):
    inv = 1.0 / (s.theta ** (torch.arange(0, s.HD, 2, dtype=torch.int64).float() / s.HD))
    f = torch.outer(torch.arange(T, dtype=torch.float32), inv)
    e = torch.cat([f, f], dim=-1)
    return e.cos().to(dtype), e.sin().to(dtype)


def rot(x, cos, sin, HD):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


def forward(s, p, tokens):
    T = tokens.shape[0]
    x = F.embedding(tokens, p["embed"])
    cos, sin = rope_tables(s, T, x.dtype)
    mask = torch.full((T, T), float("-inf"), dtype=torch.float32).triu(1)
    for L in p["layers"]:
        h = rms(x, L["in_norm"], s.eps)
        q = F.linear(h, L["q"]).view(T, s.H, s.HD).transpose(0, 1)
        k = F.linear(h, L["k"]).view(T, s.KV, s.HD).transpose(0, 1)
        v = F.linear(h, L["v"]).view(T, s.KV, s.HD).transpose(0, 1)
        q, k = rot(q, cos, sin, s.HD), rot(k, cos, sin, s.HD)
        k = k.repeat_interleave(s.H // s.KV, dim=0)
        v = v.repeat_interleave(s.H // s.KV, dim=0)
        sc = torch.matmul(q, k.transpose(1, 2)).float() * (s.HD ** -0.5) + mask
        a = torch.matmul(F.softmax(sc, dim=-1).to(x.dtype), v)
        x = x + F.linear(a.transpose(0, 1).reshape(T, s.H * s.HD), L["o"])
        h = rms(x, L["post_norm"], s.eps)
        x = x + F.linear(F.silu(F.linear(h, L["gate"])) * F.linear(h, L["up"]), L["down"])
    logits = F.linear(rms(x, p["norm"], s.eps), p["lm_head"]).float()
    return F.cross_entropy(logits[:-1], tokens[1:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=None)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=128256)
    ap.add_argument("--seq", default="512")
    ap.add_argument("--dtypes", default="f32,bf16")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--machine", action="store_true")
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    seqs = sorted(int(x) for x in a.seq.split(","))
    print(f"{'dtype':<6} {'thr':>3} {'seq':>6} {'wall s':>9} {'cpu s':>9} {'tok/s':>9} {'GFLOP/s':>9} "
          f"{'min..max':>17} {'CE':>9} {'RSS MB':>7}", flush=True)
    gen = torch.Generator().manual_seed(1)
    with torch.inference_mode():
        for d in a.dtypes.split(","):
            dtype = torch.float32 if d == "f32" else torch.bfloat16
            if a.weights:
                s, p, src = load(a.weights, d, dtype)
            else:
                s = Shape({"hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": a.layers,
                           "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
                           "vocab_size": a.vocab, "rms_norm_eps": 1e-5, "rope_theta": 500000.0})
                p, src = build_random(s, dtype, gen), "random"
            mm = s.params() - s.V * s.D
            print(f"# torch {torch.__version__}, {d}, weights {src}: hidden {s.D}, {s.L} layers, {s.H}/{s.KV} heads, "
                  f"intermediate {s.I}, vocab {s.V}: {s.params() / 1e9:.3f} B params", flush=True)
            for T in seqs:
                tok = torch.tensor([(i * 7919 + 13) % s.V for i in range(T)], dtype=torch.long)
                for th in threads:
                    torch.set_num_threads(th)
                    for _ in range(a.warmup):
                        forward(s, p, tok)
                    ws, cs = [], []
                    for _ in range(a.reps):
                        w0, c0 = time.perf_counter(), time.process_time()
                        ce = forward(s, p, tok).item()
                        ws.append(time.perf_counter() - w0)
                        cs.append(time.process_time() - c0)
                    fl = 2.0 * mm * T + 2.0 * s.L * s.H * s.HD * T * T
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
                    med = statistics.median(ws)
                    if a.machine:
                        print("#R " + json.dumps({"engine": "torch", "torch": torch.__version__, "dtype": d,
                                                  "compute": d, "threads": th, "seq": T, "layers": s.L,
                                                  "vocab": s.V, "flops": fl, "ce": ce, "rss_mb": rss,
                                                  "wall": ws, "cpu": cs}), flush=True)
                    spread = f"{fl / max(ws) / 1e9:.1f}..{fl / min(ws) / 1e9:.1f}"
                    print(f"{d:<6} {th:>3} {T:>6} {med:>9.3f} {statistics.median(cs):>9.3f} {T / med:>9.1f} "
                          f"{fl / med / 1e9:>9.1f} {spread:>17} {ce:>9.4f} {rss:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
