"""W14's peers, run in the same invocation as `compgraph-bench W14`: the n-th derivative at
x = 0.3 of tanh(x) and exp(sin x)*ln(1 + x^2), n = 10, 20, 50, 100,

- by JAX's `jet` (jax.experimental.jet, float64, jitted; the input series x(t) = 0.3 + t, whose
  output series holds every derivative up to n): the compile time of the first call, then the
  median and best of the timed calls;
- by mpmath's `diff` at 50 digits (one n-th derivative; no warm-up, fewer runs at high n).

Prints one JSON line per (peer, function, order) with the derivative it computed. A peer that
is not installed is skipped with a message on stderr.
"""
import json
import sys
import time

ORDERS = [10, 20, 50, 100]
POINT = 0.3


def median_and_best_seconds(run, runs, warm_up=True):
    if warm_up:
        run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], times[0]


def repeated(run, seconds=0.01):
    """`run` made to last about `seconds` per call of the result, and the calls it makes."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            run()
        if time.perf_counter() - start >= seconds or calls >= 1 << 20:
            break
        calls *= 2

    def batch():
        for _ in range(calls):
            run()

    return batch, calls


def emit(peer, function, order, seconds, best, value, **fields):
    line = {"peer": peer, "function": function, "order": order, "seconds": seconds,
            "best_seconds": best, "value": value, **fields}
    print(json.dumps(line), flush=True)


def jax_jet():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.experimental import jet

    functions = {"tanh": jnp.tanh, "expsin_log": lambda x: jnp.exp(jnp.sin(x)) * jnp.log1p(x * x)}
    for name, f in functions.items():
        for n in ORDERS:
            series = ([1.0] + [0.0] * (n - 1),)

            @jax.jit
            def nth(x0):
                return jet.jet(f, (x0,), (tuple(jnp.asarray(c) for c in series[0]),))[1][n - 1]

            x0 = jnp.asarray(POINT)
            start = time.perf_counter()
            value = float(nth(x0).block_until_ready())
            compile_seconds = time.perf_counter() - start
            batch, calls = repeated(lambda: nth(x0).block_until_ready())
            median, best = median_and_best_seconds(batch, 9)
            emit("jax_jet", name, n, median / calls, best / calls, value,
                 compile_seconds=compile_seconds)


def mpmath_diff():
    import mpmath
    mpmath.mp.dps = 50
    functions = {"tanh": mpmath.tanh,
                 "expsin_log": lambda x: mpmath.exp(mpmath.sin(x)) * mpmath.log(1 + x * x)}
    for name, f in functions.items():
        for n in ORDERS:
            value = []
            runs = 3 if n <= 20 else 1
            median, best = median_and_best_seconds(
                lambda: value.append(mpmath.diff(f, mpmath.mpf(POINT), n)), runs, warm_up=False)
            emit("mpmath", name, n, median, best, float(value[-1]))


for peer in (jax_jet, mpmath_diff):
    try:
        peer()
    except ImportError as error:
        print(f"w14_peers.py: {peer.__name__} skipped ({error})", file=sys.stderr)
