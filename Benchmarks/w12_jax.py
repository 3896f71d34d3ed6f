"""W12 (BENCHMARKS.md) run by JAX on this machine, for a same-run comparison with
`swift run -c release compgraph-bench W12` (which runs this script and puts its figures beside its own).

The negative log marginal likelihood of an RBF-kernel Gaussian process, x = linspace(0, 10, N),
y = sin x + 0.1 cos 3x, at theta = (ln l, ln s_f, ln s_n) = (0, 0, -2), via Cholesky:
K = s_f^2 exp(-(x - x')^2 / (2 l^2)) + s_n^2 I, L = cholesky(K), z = L^-1 y,
NLL = z.z/2 + sum(ln diag L) + (N/2) ln 2 pi; float64. Value with gradient (jax.value_and_grad)
and value with Hessian (jax.hessian), each under jax.jit. Prints one JSON line per N: the first
call (tracing and compiling included), the median and the best of the calls after it, and the
values.
"""
import json
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402


def nll_of(n):
    x = jnp.linspace(0.0, 10.0, n)
    y = jnp.sin(x) + 0.1 * jnp.cos(3 * x)
    d2 = (x[:, None] - x[None, :]) ** 2

    def nll(theta):
        k = jnp.exp(2 * theta[1] - 0.5 * jnp.exp(-2 * theta[0]) * d2) + jnp.exp(2 * theta[2]) * jnp.eye(n)
        l = jnp.linalg.cholesky(k)
        z = jsl.solve_triangular(l, y, lower=True)
        return 0.5 * z @ z + jnp.sum(jnp.log(jnp.diag(l))) + 0.5 * n * jnp.log(2 * jnp.pi)

    return nll


def timed(f, theta, runs):
    start = time.perf_counter()
    out = jax.block_until_ready(f(theta))
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        jax.block_until_ready(f(theta))
        times.append(time.perf_counter() - start)
    times.sort()
    return out, first, times[len(times) // 2], times[0]


sizes = [int(a) for a in sys.argv[1:]] or [100, 500]
theta = jnp.array([0.0, 0.0, -2.0])
for n in sizes:
    nll = nll_of(n)
    (value, gradient), g_first, g_median, g_best = timed(jax.jit(jax.value_and_grad(nll)), theta, 21)
    (_, hessian), h_first, h_median, h_best = timed(
        jax.jit(lambda t: (nll(t), jax.hessian(nll)(t))), theta, 11)
    print(json.dumps({
        "n": n, "grad_seconds": g_median, "best_grad_seconds": g_best, "first_grad_seconds": g_first,
        "hessian_seconds": h_median, "best_hessian_seconds": h_best,
        "first_hessian_seconds": h_first, "value": float(value),
        "gradient": [float(v) for v in gradient],
        "hessian_diagonal": [float(hessian[i, i]) for i in range(3)],
    }), flush=True)
