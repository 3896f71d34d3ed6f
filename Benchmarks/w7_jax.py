"""W7 (BENCHMARKS.md) run by JAX on this machine, for a same-run comparison with
`swift run -c release compgraph-bench W7` (which runs this script and puts its figures beside its own).

One training step of a 784-256-256-10 relu MLP on a batch of 128: softmax cross-entropy averaged
over the batch, momentum SGD (v <- 0.9 v + g, p <- p - 0.1 v); weights randn * sqrt(2 / fan_in),
biases 0; one fixed batch (pixels uniform in [0, 1), labels uniform in 0..9). The whole step
(forward, gradient, update) under one jax.jit, in float64 and then float32. Prints one JSON line
per type: the first step (tracing and compiling included), the median and the best of 100 steps.
"""
import json
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

BATCH, SIZES = 128, [784, 256, 256, 10]


def loss_fn(params, x, y):
    h = x
    for k, (w, b) in enumerate(params):
        h = h @ w + b
        if k < len(params) - 1:
            h = jax.nn.relu(h)
    logp = jax.nn.log_softmax(h, axis=1)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


@jax.jit
def step(params, velocity, x, y):
    loss, g = jax.value_and_grad(loss_fn)(params, x, y)
    velocity = jax.tree.map(lambda v, g: 0.9 * v + g, velocity, g)
    params = jax.tree.map(lambda p, v: p - 0.1 * v, params, velocity)
    return params, velocity, loss


for dtype in ("float64", "float32"):
    rng = np.random.default_rng(7)
    params = [
        (jnp.asarray(rng.standard_normal((m, n)) * np.sqrt(2 / m), dtype), jnp.zeros(n, dtype))
        for m, n in zip(SIZES, SIZES[1:])
    ]
    velocity = jax.tree.map(jnp.zeros_like, params)
    x = jnp.asarray(rng.random((BATCH, SIZES[0])), dtype)
    y = jnp.asarray(rng.integers(0, SIZES[-1], size=BATCH))
    start = time.perf_counter()
    params, velocity, loss = step(params, velocity, x, y)
    loss.block_until_ready()
    assert loss.dtype == dtype, loss.dtype
    first = time.perf_counter() - start
    times = []
    for _ in range(100):
        start = time.perf_counter()
        params, velocity, loss = step(params, velocity, x, y)
        loss.block_until_ready()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"peer": "jax " + jax.__version__, "workload": "W7", "dtype": "f" + dtype[-2:],
                      "first_step_seconds": first, "step_seconds": times[len(times) // 2],
                      "best_step_seconds": times[0]}))
