"""W10 (BENCHMARKS.md) run by JAX on this machine, for a same-run comparison with
`swift run -c release compgraph-bench W10` (which writes the step's inputs and runs this script,
then puts its figures beside its own).

One training step of a small GPT: vocabulary 96, context 64, batch 16, d_model 128, 4 heads,
4 pre-LayerNorm blocks (causal self-attention, LayerNorm eps 1e-5, MLP 128-512-128 with
tanh-GELU), learned positional embeddings, the head tied to the token embedding, mean
cross-entropy over all B*T positions, AdamW (lr 3e-4, beta 0.9/0.95, eps 1e-8, weight decay 0.1
on parameters of rank >= 2), no dropout. The model is CompGraph's `GPT` written in jax.numpy,
with its parameter paths; the initial parameters and the batch ("ids", "targets") are read from
the safetensors file given as the first argument, which compgraph-bench writes, so both compute
the same step from the same values.

The whole step (forward, gradient, AdamW) under one jax.jit, in float64 and then float32. Prints
one JSON line per type: the first step (tracing and compiling included), the median and the best
of STEPS steps, the first loss, and the compiled step's memory analysis (temporaries plus
outputs, what CompGraph's planned peak counts).
"""
import json
import math
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

HEADS, LAYERS = 4, 4
LR, B1, B2, EPS, WD = 3e-4, 0.9, 0.95, 1e-8, 0.1
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 20


def layernorm(x, p, prefix):
    mu = x.mean(-1, keepdims=True)
    c = x - mu
    var = (c * c).mean(-1, keepdims=True)
    return c / jnp.sqrt(var + 1e-5) * p[prefix + ".scale"] + p[prefix + ".shift"]


def linear(x, p, prefix):
    return x @ p[prefix + ".W"] + p[prefix + ".b"]


def attention(x, p, prefix):
    B, T, D = x.shape
    w = D // HEADS

    def split(t):
        return t.reshape(B, T, HEADS, w)

    q, k, v = (split(linear(x, p, f"{prefix}.{n}")) for n in ("query", "key", "value"))
    scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(w)
    scores = jnp.where(jnp.tril(jnp.ones((T, T), bool)), scores, -jnp.inf)
    a = jax.nn.softmax(scores, axis=-1)
    out = jnp.einsum("bhqk,bkhd->bqhd", a, v).reshape(B, T, D)
    return linear(out, p, prefix + ".output")


def block(x, p, prefix):
    h = x + attention(layernorm(x, p, prefix + ".norm1"), p, prefix + ".attention")
    m = layernorm(h, p, prefix + ".norm2")
    m = jax.nn.gelu(linear(m, p, prefix + ".mlp.fc"), approximate=True)
    return h + linear(m, p, prefix + ".mlp.projection")


def loss_fn(p, ids, targets):
    T = ids.shape[1]
    E = p["gpt.token_embedding.E"]
    h = E[ids] + p["gpt.position_embedding.P"][:T]
    for layer in range(LAYERS):
        h = block(h, p, f"gpt.block{layer}")
    logits = layernorm(h, p, "gpt.final_norm") @ E.T
    z = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.take_along_axis(z, targets[..., None], axis=-1).mean()


@jax.jit
def step(p, m, v, b1t, b2t, ids, targets):
    loss, g = jax.value_and_grad(loss_fn)(p, ids, targets)
    b1t, b2t = b1t * B1, b2t * B2
    new_p, new_m, new_v = {}, {}, {}
    for k in p:
        new_m[k] = B1 * m[k] + (1 - B1) * g[k]
        new_v[k] = B2 * v[k] + (1 - B2) * (g[k] * g[k])
        update = (new_m[k] / (1 - b1t)) / (jnp.sqrt(new_v[k] / (1 - b2t)) + EPS)
        if p[k].ndim >= 2:
            update = update + WD * p[k]
        new_p[k] = p[k] - LR * update
    return new_p, new_m, new_v, b1t, b2t, loss


stored = load_file(sys.argv[1])
for dtype in ("float64", "float32"):
    p = {k: jnp.asarray(a, dtype) for k, a in stored.items() if k.startswith("gpt.")}
    ids = jnp.asarray(stored["ids"], jnp.int32)
    targets = jnp.asarray(stored["targets"], jnp.int32)
    m = {k: jnp.zeros_like(a) for k, a in p.items()}
    v = {k: jnp.zeros_like(a) for k, a in p.items()}
    b1t = b2t = jnp.asarray(1.0, dtype)
    start = time.perf_counter()
    compiled = step.lower(p, m, v, b1t, b2t, ids, targets).compile()
    p, m, v, b1t, b2t, loss = compiled(p, m, v, b1t, b2t, ids, targets)
    loss.block_until_ready()
    first = time.perf_counter() - start
    assert loss.dtype == dtype, loss.dtype
    first_loss = float(loss)
    memory = compiled.memory_analysis()
    times = []
    for _ in range(STEPS):
        start = time.perf_counter()
        p, m, v, b1t, b2t, loss = compiled(p, m, v, b1t, b2t, ids, targets)
        loss.block_until_ready()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({
        "peer": "jax " + jax.__version__, "workload": "W10", "dtype": "f" + dtype[-2:],
        "first_step_seconds": first, "step_seconds": times[len(times) // 2],
        "best_step_seconds": times[0], "loss_first": first_loss,
        "peak_bytes": int(memory.temp_size_in_bytes + memory.output_size_in_bytes),
        "temp_bytes": int(memory.temp_size_in_bytes),
        "argument_bytes": int(memory.argument_size_in_bytes),
        "parameters": int(sum(np.size(a) for a in p.values())),
    }))
