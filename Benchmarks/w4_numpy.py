"""W4 (BENCHMARKS.md) run by NumPy on this machine, for a same-run comparison with
`swift run -c release compgraph-bench W4`.

One JSON line per case, with the same case names and units: gflops = 2·(multiply-adds)/s,
gbytes_per_second = bytes of the result / s (the trace: bytes of the diagonal).
Medians of >= 5 runs (and >= 0.2 s of runs) after one warm-up. NumPy has no symbolic
gradient, so grad_matmul_* has no line here.
"""
import json
import time

import numpy as np


def median_seconds(body):
    body()
    times = []
    while len(times) < 5 or (sum(times) < 0.2 and len(times) < 1000):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def line(case, seconds, unit, amount):
    print(json.dumps({"peer": "numpy " + np.__version__, "workload": "W4", "case": case,
                      "seconds": float("%.4g" % seconds), unit: float("%.4g" % (amount / seconds / 1e9))}))


rng = np.random.default_rng(0)
for n in (512, 1024):
    a, b = rng.random((n, n)), rng.random((n, n))
    line(f"matmul_{n}", median_seconds(lambda: a @ b), "gflops", 2 * n**3)
a, b = rng.random((64, 128, 128)), rng.random((64, 128, 128))
line("bmm_64x128", median_seconds(lambda: a @ b), "gflops", 2 * 64 * 128**3)
n = 4096
square = rng.random((n, n))
line("trace_4096", median_seconds(lambda: np.einsum("ii->", square)), "gbytes_per_second", 8 * n)
line("transpose_4096", median_seconds(lambda: np.ascontiguousarray(square.T)), "gbytes_per_second", 8 * n * n)
x, y, z = rng.random((128, 128, 128)), rng.random((128, 128)), rng.random((128, 128))
line("three_operand_128", median_seconds(lambda: np.einsum("ijk,jl,kl->il", x, y, z, optimize=True)),
     "gflops", 2 * (128**4 + 128**3))
u, v = rng.random(n), rng.random(n)
line("outer_4096", median_seconds(lambda: np.einsum("i,j->ij", u, v, optimize=True)), "gbytes_per_second", 8 * n * n)
