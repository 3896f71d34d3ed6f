"""The fastest symbolic builders of BENCHMARKS.md's "Build speed", run on this machine so that
`compgraph-bench W1 W2 W3` can put their build times beside its own from the same run.

- W1: the 10th derivative of tanh, cumulative (each order the derivative of the one below), in
  SymEngine, both variants: the primitive tanh(x) and (e^x - e^-x)/(e^x + e^-x).
- W2: the gradient of f(x) = sum_i exp(x_i) ln(1 + x_{i+1}^2) + sqrt(sum_i x_i^2) at N = 10^4 in
  CasADi (SX graph, casadi.gradient), f built beforehand and timed on its own.
- W3: the dense Hessian of that f at N = 100 in CasADi (casadi.hessian), f built beforehand.

Prints one JSON line per case with the median and the best of the timed runs after a warm-up,
in seconds. A peer that is not installed is skipped with a message on stderr.
"""
import json
import sys
import time


def median_and_best_seconds(run, runs):
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], times[0]


def emit(case, peer, seconds, best, **fields):
    line = {"case": case, **fields, "peer": peer, "seconds": seconds, "best_seconds": best}
    print(json.dumps(line), flush=True)


def w1_symengine():
    import symengine as se

    x = se.Symbol("x")
    variants = {"tanh": se.tanh(x), "exp": (se.exp(x) - se.exp(-x)) / (se.exp(x) + se.exp(-x))}
    for variant, f in variants.items():

        def build(f=f):
            d = f
            for _ in range(10):
                d = d.diff(x)
            return d

        seconds, best = median_and_best_seconds(build, runs=21)
        emit("W1", "SymEngine", seconds, best, variant=variant, order=10)


def w2_w3_casadi():
    import casadi as ca

    def f_of(n):
        x = ca.SX.sym("x", n)
        terms = [ca.exp(x[i]) * ca.log(1 + x[(i + 1) % n] ** 2) for i in range(n)]
        return x, ca.sum1(ca.vertcat(*terms)) + ca.sqrt(ca.sumsqr(x))

    x, f = f_of(10_000)
    seconds, best = median_and_best_seconds(lambda: ca.gradient(f, x), runs=5)
    f_seconds, _ = median_and_best_seconds(lambda: f_of(10_000), runs=3)
    emit("W2", "CasADi", seconds, best, n=10_000, f_seconds=f_seconds)
    x, f = f_of(100)
    seconds, best = median_and_best_seconds(lambda: ca.hessian(f, x), runs=9)
    emit("W3", "CasADi", seconds, best, n=100)


for peer in (w1_symengine, w2_w3_casadi):
    try:
        peer()
    except ImportError as error:
        print(f"build_peers.py: {peer.__name__} skipped ({error})", file=sys.stderr)
