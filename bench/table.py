#!/usr/bin/python3
"""table.py: issue 6's benchmark table, aif and PyTorch side by side.

Runs (1) bench_forward --make-weights (writes the synthetic model once as
bf16 and f32 safetensors under --dir, reused afterwards), (2) bench_forward
--machine once per weight dtype, (3) bench/torch_forward.py --weights once
per dtype on the same files, same tokens, same thread counts, and prints ONE
table: every number a median of --reps runs with the min..max spread.

  /usr/bin/python3 bench/table.py [--quick] [--layers 16] [--seq 2048,4096] [--threads 1,2] [--reps 3]
        [--dtypes f32,bf16] [--compute f32,bf16] [--dir /tmp/aif-bench] [--no-torch] [--log FILE]
  /usr/bin/python3 bench/table.py --from-log FILE      (the table of an earlier run's raw log)

bench/table.sh builds build/bench/bench/bench_forward (as `make bench` does)
and runs this script. Raw output of every run goes to --log (default
build/bench/table.log).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, log, env=None):
    """Run cmd, echo a progress line to stderr, return #-lines parsed."""
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    log.write("+ " + " ".join(cmd) + "\n")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    rows, peaks, lines = [], [], []
    for line in p.stdout:
        log.write(line)
        log.flush()
        lines.append(line.rstrip("\n"))
        if line.startswith("#R "):
            rows.append(json.loads(line[3:]))
        elif line.startswith("#P "):
            peaks.append(json.loads(line[3:]))
        elif not line.startswith("#"):
            print("  " + line.rstrip("\n"), file=sys.stderr, flush=True)
    if p.wait():
        sys.exit(f"table.py: {' '.join(cmd)} failed with status {p.returncode}")
    return rows, peaks, lines


def med(v):
    return statistics.median(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="--layers 2 --seq 512,2048 (full vocab)")
    ap.add_argument("--layers", type=int, default=None)
    ap.add_argument("--vocab", type=int, default=128256)
    ap.add_argument("--seq", default=None)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dtypes", default="f32,bf16")
    ap.add_argument("--compute", default="f32,bf16")
    ap.add_argument("--torch-warmup", type=int, default=1)
    ap.add_argument("--aif-warmup", type=int, default=0)
    ap.add_argument("--dir", default="/tmp/aif-bench")
    ap.add_argument("--bin", default="build/bench/bench/bench_forward")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--log", default="build/bench/table.log")
    ap.add_argument("--from-log", default=None, help="print the table of an earlier run's raw log, run nothing")
    a = ap.parse_args()
    layers = a.layers if a.layers is not None else (2 if a.quick else 16)
    seq = a.seq if a.seq is not None else ("512,2048" if a.quick else "2048,4096")
    t_start = time.time()
    rows, peaks = [], []
    if a.from_log:
        base, reps = "?", set()
        for line in open(a.from_log):
            if line.startswith("#R "):
                rows.append(json.loads(line[3:]))
            elif line.startswith("#P "):
                peaks.append(json.loads(line[3:]))
            elif line.rstrip().endswith("/bf16") and line.startswith("/"):
                base = os.path.dirname(line.strip())
            elif line.startswith("+ ") and "--warmup" in line:
                w = line.split()
                if "torch_forward.py" in line:
                    a.torch_warmup = int(w[w.index("--warmup") + 1])
                else:
                    a.aif_warmup = int(w[w.index("--warmup") + 1])
        for r in rows:
            reps.add(len(r["wall"]))
        a.reps = "/".join(str(x) for x in sorted(reps))
        layers = rows[0]["layers"] if rows else layers
        a.vocab = rows[0]["vocab"] if rows else a.vocab
        a.log = a.from_log
        return table(a, layers, base, rows, peaks, t_start)
    os.makedirs(os.path.dirname(a.log) or ".", exist_ok=True)
    log = open(a.log, "w")

    common = ["--layers", str(layers), "--vocab", str(a.vocab), "--dir", a.dir]
    _, _, lines = run([a.bin, "--make-weights"] + common, log)
    base = os.path.dirname([l for l in lines if l.endswith("/bf16")][0])

    for d in a.dtypes.split(","):
        r, p, _ = run([a.bin, "--machine", "--dtypes", d, "--compute", a.compute, "--seq", seq, "--threads",
                       a.threads, "--reps", str(a.reps), "--warmup", str(a.aif_warmup)] + common, log)
        rows += r
        peaks += p
    if not a.no_torch:
        env = dict(os.environ, OMP_NUM_THREADS=str(max(int(t) for t in a.threads.split(","))))
        for d in a.dtypes.split(","):
            r, _, _ = run(["/usr/bin/python3", os.path.join(HERE, "torch_forward.py"), "--weights", base, "--machine",
                           "--dtypes", d, "--seq", seq, "--threads", a.threads, "--reps", str(a.reps),
                           "--warmup", str(a.torch_warmup)], log, env)
            rows += r
    table(a, layers, base, rows, peaks, t_start)


def table(a, layers, base, rows, peaks, t_start):
    # peaks: best seen per thread count over the processes of this run
    pk = {}
    for p in peaks:
        q = pk.setdefault(p["threads"], {"fma": 0, "dpbf16": 0, "amx": 0,
                                         "fma_wall": 0, "dpbf16_wall": 0, "amx_wall": 0})
        for k in q:
            q[k] = max(q[k], p.get(k, 0))

    for r in rows:
        r["gf"] = r["flops"] / med(r["wall"]) / 1e9
    def find(engine, dtype, compute, th, T):
        for r in rows:
            if (r["engine"], r["dtype"], r["compute"], r["threads"], r["seq"]) == (engine, dtype, compute, th, T):
                return r
        return None

    aif0 = next((r for r in rows if r["engine"] == "aif"), {})
    tor0 = next((r for r in rows if r["engine"] == "torch"), {})
    out = []
    out.append(f"aif issue 6 benchmark: eval path (forward + all logits + cross-entropy), synthetic llama hidden 2048, "
               f"{layers} layers, 32/8 heads, head_dim 64, intermediate 8192, vocab {a.vocab}, untied; "
               f"tokens (i*7919+13) mod V, same weights for aif and torch ({base})")
    out.append(f"aif kernels: {aif0.get('kernels', '?')} (AIF_CPU={aif0.get('aif_cpu', '') or 'unset'}); "
               f"torch {tor0.get('torch', 'not run')} (torch.inference_mode, set_num_threads)")
    for th in sorted(pk):
        q = pk[th]
        out.append(f"measured peak, {th} thread{'s' if th > 1 else ''} (register-only loops, summed per-thread "
                   f"rates in thread CPU time): vfmadd231ps {q['fma']:.1f}, vdpbf16ps {q['dpbf16']:.1f}, "
                   f"AMX tdpbf16ps {q['amx']:.1f} GFLOP/s (over wall time: {q['fma_wall']:.1f}, "
                   f"{q['dpbf16_wall']:.1f}, {q['amx_wall']:.1f})")
    out.append(f"each row: median of {a.reps} runs (aif {a.aif_warmup} warm-up, torch {a.torch_warmup}); tok/s, "
               f"GFLOP/s, %peak, x1->2 and vs-torch from WALL time; min..max = GFLOP/s spread (wall); "
               f"cpu s = median process CPU seconds (all threads); GF/cpu-s = FLOPs / cpu s (with 1 thread: the "
               f"speed without other processes' interference); (cpu) = torch cpu s / aif cpu s (torch's spinning "
               f"OpenMP threads count there: compare 1-thread rows)")
    out.append("%peak: f32 weights: of vfmadd231ps; bf16 weights: of vdpbf16ps (issue 6's definition); %amx: of AMX "
               "tdpbf16ps; same thread count. vs torch: aif GFLOP/s / torch GFLOP/s, same dtype of weights, seq, "
               "threads (bf16 weights: torch bf16, for both aif compute modes); dCE = aif CE - torch CE")
    hdr = (f"{'engine':<6} {'dtype':<5} {'compute':<7} {'thr':>3} {'seq':>5} {'tok/s':>8} {'GFLOP/s':>8} "
           f"{'min..max':>15} {'cpu s':>8} {'GF/cpu-s':>8} {'%peak':>6} {'%amx':>5} {'x1->2':>5} {'vs torch':>8} "
           f"{'(cpu)':>5} {'dCE':>8} "
           f"{'CE':>8} {'RSS MB':>6}")
    out.append(hdr)
    out.append("-" * len(hdr))
    order = {"f32": 0, "bf16": 1}
    rows.sort(key=lambda r: (r["seq"], order.get(r["dtype"], 9), r["engine"] != "aif", order.get(r["compute"], 9),
                             r["threads"]))
    last = None
    for r in rows:
        if last is not None and r["seq"] != last:
            out.append("")
        last = r["seq"]
        w = r["wall"]
        gf = r["gf"]
        spread = f"{r['flops'] / max(w) / 1e9:.1f}..{r['flops'] / min(w) / 1e9:.1f}"
        q = pk.get(r["threads"], {})
        bf = r["dtype"] == "bf16"
        peak = q.get("dpbf16" if bf else "fma", 0)
        pct = f"{100 * gf / peak:.1f}" if peak else "?"
        pamx = f"{100 * gf / q['amx']:.1f}" if bf and q.get("amx") else "-"
        one = find(r["engine"], r["dtype"], r["compute"], 1, r["seq"])
        sp = f"{med(one['wall']) / med(w):.2f}" if one and r["threads"] > 1 else "-"
        vs, vsc, dce = "-", "-", "-"
        if r["engine"] == "aif":
            t = find("torch", r["dtype"], r["dtype"], r["threads"], r["seq"])
            if t:
                vs = f"{gf / t['gf']:.2f}"
                vsc = f"{med(t['cpu']) / med(r['cpu']):.2f}"
                dce = f"{r['ce'] - t['ce']:+.5f}"
        out.append(f"{r['engine']:<6} {r['dtype']:<5} {r['compute']:<7} {r['threads']:>3} {r['seq']:>5} "
                   f"{r['seq'] / med(w):>8.1f} {gf:>8.1f} {spread:>15} {med(r['cpu']):>8.2f} "
                   f"{r['flops'] / med(r['cpu']) / 1e9:>8.1f} {pct:>6} {pamx:>5} "
                   f"{sp:>5} {vs:>8} {vsc:>5} {dce:>8} {r['ce']:>8.4f} {r['rss_mb']:>6.0f}")
    ces = {}
    for r in rows:
        if r["engine"] == "aif":
            ces.setdefault((r["dtype"], r["compute"], r["seq"]), set()).add(r["ce"])
    diff = [k for k, v in ces.items() if len(v) > 1]
    out.append("aif CE identical for every thread count: " + ("yes" if not diff else
               "NO for " + ", ".join(f"{d}/{c}/{t}" for d, c, t in diff)))
    took = f"table of {a.log}" if a.from_log else f"{time.time() - t_start:.0f} s in all; raw output in {a.log}"
    out.append(f"({took}; RSS = the process's peak resident set "
               f"after the row, weights mapped from the page cache count)")
    print("\n".join(out))


if __name__ == "__main__":
    main()
