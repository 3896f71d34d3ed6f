"""W6 (BENCHMARKS.md) run by JAX on this machine, for a same-run comparison with
`swift run -c release compgraph-bench W6` (which runs this script and puts its figures beside its own).

One training step of the char-RNN: B = 8, V = 65 (one-hot inputs), H = 100, T = 20;
h_t = tanh(h_{t-1} W + x_t U + b_h), logits_t = h_t Vo + b_o, loss = (1/T) sum_t sum_b CE,
h_0 = 0; Adam (lr 0.01, b1 0.9, b2 0.999, eps 1e-8, bias-corrected), the whole step
(forward, gradient, update) under one jax.jit, in float64 and then float32 (every array and the
step counter in that type; Python constants are weak, so they take it). Prints one JSON line per
type: the first step (tracing and compiling included), the median and the best of 200 steps
after it.
"""
import json
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

B, V, H, T = 8, 65, 100, 20


def loss_fn(p, x):
    h = jnp.zeros((B, H), x.dtype)
    total = 0.0
    for t in range(T - 1):
        h = jnp.tanh(h @ p["W"] + x[t] @ p["U"] + p["bh"])
        logits = h @ p["Vo"] + p["bo"]
        total += jnp.sum(jax.nn.logsumexp(logits, axis=1) - jnp.sum(logits * x[t + 1], axis=1))
    return total / T


@jax.jit
def step(p, m, v, t, x):
    loss, g = jax.value_and_grad(loss_fn)(p, x)
    t = t + 1
    m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
    v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
    p = jax.tree.map(
        lambda p, m, v: p - 0.01 * (m / (1 - 0.9**t)) / (jnp.sqrt(v / (1 - 0.999**t)) + 1e-8), p, m, v)
    return p, m, v, t, loss


for dtype in ("float64", "float32"):
    rng = np.random.default_rng(6)
    params = {
        "W": rng.standard_normal((H, H)) * 0.01, "U": rng.standard_normal((V, H)) * 0.01,
        "bh": np.zeros(H), "Vo": rng.standard_normal((H, V)) * 0.01, "bo": np.zeros(V),
    }
    params = {k: jnp.asarray(v, dtype) for k, v in params.items()}
    x = jnp.asarray(np.eye(V)[rng.integers(0, V, size=(T, B))], dtype)  # [T, B, V] one-hot
    m = jax.tree.map(jnp.zeros_like, params)
    v = jax.tree.map(jnp.zeros_like, params)
    t = jnp.asarray(0.0, dtype)
    start = time.perf_counter()
    params, m, v, t, loss = step(params, m, v, t, x)
    loss.block_until_ready()
    assert loss.dtype == dtype, loss.dtype
    first = time.perf_counter() - start
    times = []
    for _ in range(200):
        start = time.perf_counter()
        params, m, v, t, loss = step(params, m, v, t, x)
        loss.block_until_ready()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"peer": "jax " + jax.__version__, "workload": "W6", "dtype": "f" + dtype[-2:],
                      "first_step_seconds": first, "step_seconds": times[len(times) // 2],
                      "best_step_seconds": times[0]}))
