"""W13's peer, run in the same invocation as `compgraph-bench W13`: CasADi's sparse Hessian of
the chained Rosenbrock function

    f(x) = sum_{i < N-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2,   x_i = sin(i + 1),

at N = 10^3, 10^4, 10^5: `casadi.hessian` on an SX expression (CasADi finds the pattern, colours
it and builds the compressed Hessian), its `Function` built and timed, then evaluated. Prints
one JSON line per N: build (f, hessian and Function) and evaluation medians, nnz, and the sum
of the entries (both triangles).
"""
import json
import math
import sys
import time


def median_and_best(run, runs):
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], times[0]


def main():
    try:
        import casadi
    except ImportError as error:
        print(f"w13_casadi.py: CasADi not installed ({error})", file=sys.stderr)
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 100000]
    for n in sizes:
        built = {}

        def build():
            x = casadi.SX.sym("x", n)
            f = casadi.sum1(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
            h, _ = casadi.hessian(f, x)
            built["function"] = casadi.Function("h", [x], [h])

        build_median, build_best = median_and_best(build, 3 if n >= 100000 else 5)
        function = built["function"]
        point = casadi.DM([math.sin(i + 1) for i in range(n)])
        result = {}

        def evaluate():
            result["h"] = function(point)

        eval_median, eval_best = median_and_best(evaluate, 9)
        h = result["h"]
        print(json.dumps({
            "peer": "casadi", "n": n, "build_seconds": build_median, "build_best_seconds": build_best,
            "eval_seconds": eval_median, "eval_best_seconds": eval_best, "nnz": h.nnz(),
            "sum_entries": float(casadi.sum1(casadi.sum2(h))),
        }), flush=True)


main()
