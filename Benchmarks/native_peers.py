"""The peers of `compgraph-bench native` (BENCHMARKS.md W1, W2 and W3), run on this machine for a
same-run comparison (the bench runs this script and puts its figures beside its own).

- W1: the n-th derivative of tanh (both variants: the primitive, and (e^x - e^-x)/(e^x + e^-x)),
  n = 1 ... 5, by repeated jax.grad, vmapped and jitted, at the 10^6 points linspace(-2, 2),
  float64. (Past n = 5 JAX's graphs grow into the thousands of equations and its compile into
  seconds; BENCHMARKS.md's figures stand there.)
- W2: the gradient of f(x) = sum_i exp(x_i) ln(1 + x_{i+1}^2) + sqrt(sum_i x_i^2) at N = 10^4,
  written by hand in NumPy, at x_i = sin(i + 1).
- W3: the dense Hessian of that f at N = 100 by SymEngine (each entry differentiated, then
  Lambdify with its LLVM backend and cse), called at x_i = sin(i + 1).

Prints one JSON line per case with the median and the best of 9 timed runs after a warm-up, in
seconds (the best is the figure least disturbed by other work on a shared machine).
"""
import json
import time

import numpy as np


def median_and_best_seconds(run, repeats=1):
    run()
    times = []
    for _ in range(9):
        start = time.perf_counter()
        for _ in range(repeats):
            run()
        times.append((time.perf_counter() - start) / repeats)
    return sorted(times)[4], min(times)


def w2_numpy():
    n = 10_000
    x = np.sin(np.arange(n) + 1.0)

    def gradient(x):
        e = np.exp(x)
        after = np.roll(x, -1)
        q = 1.0 + after * after
        return e * np.log(q) + np.roll(e * 2.0 * after / q, 1) + x / np.sqrt(np.dot(x, x))

    seconds, best = median_and_best_seconds(lambda: gradient(x), repeats=200)
    line = {"case": "W2", "n": n, "numpy_seconds": seconds, "numpy_best_seconds": best}
    print(json.dumps(line), flush=True)


def w3_symengine():
    import symengine as se

    n = 100
    x = se.symbols(" ".join(f"x{i}" for i in range(n)))
    f = sum(se.exp(x[i]) * se.log(1 + x[(i + 1) % n] ** 2) for i in range(n))
    f += se.sqrt(sum(xi**2 for xi in x))
    gradient = [f.diff(xi) for xi in x]
    hessian = [gi.diff(xj) for gi in gradient for xj in x]
    run = se.Lambdify(list(x), hessian, backend="llvm", cse=True)
    point = np.sin(np.arange(n) + 1.0)
    seconds, best = median_and_best_seconds(lambda: run(point), repeats=2000)
    line = {"case": "W3", "n": n, "symengine_llvm_seconds": seconds}
    print(json.dumps(line | {"symengine_llvm_best_seconds": best}), flush=True)


def w1_jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    xs = jnp.linspace(-2.0, 2.0, 1_000_000)
    variants = {
        "tanh": jnp.tanh,
        "exp": lambda x: (jnp.exp(x) - jnp.exp(-x)) / (jnp.exp(x) + jnp.exp(-x)),
    }
    for variant, f in variants.items():
        for order in range(1, 6):
            f = jax.grad(f)
            run = jax.jit(jax.vmap(f))
            seconds, best = median_and_best_seconds(lambda: run(xs).block_until_ready())
            line = {"case": "W1", "variant": variant, "order": order, "jax_seconds": seconds}
            line["jax_best_seconds"] = best
            print(json.dumps(line), flush=True)


w2_numpy()
w3_symengine()
w1_jax()
