"""The transformer modules, AdamW and Philox in JAX and plain Python, for TransformerTests.

Standard input is one JSON object; standard output one JSON object with what it asks for:
- "config" and "params" (name → {"shape", "data"}, CompGraph's parameter paths), "x" [B, T, D],
  "ids" and "targets" [B, T]: each module's forward on x ("layernorm", "gelu_exact",
  "gelu_tanh", "attention", "block"), the GPT's logits and loss, and the loss's gradient with
  respect to every parameter ("grads"), all in float64;
- "adamw": `steps` AdamW steps (optax's formulas, written out: decoupled weight decay on
  parameters of rank >= 2, global-norm clipping, warm-up and cosine decay), giving "losses"
  and the parameters after them ("trained");
- "philox": Philox4x32-10 (Random123's) in Python integers, giving for element i of a stream
  (key, counter) the 53-bit integer u_i * 2^53 ("philox", as decimal strings).
"""
import json
import math
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402


def layernorm(x, p, prefix):
    mu = x.mean(-1, keepdims=True)
    c = x - mu
    var = (c * c).mean(-1, keepdims=True)
    return c / jnp.sqrt(var + 1e-5) * p[prefix + ".scale"] + p[prefix + ".shift"]


def linear(x, p, prefix):
    return x @ p[prefix + ".W"] + p[prefix + ".b"]


def attention(x, p, prefix, heads):
    B, T, D = x.shape
    w = D // heads

    def split(t):
        return t.reshape(B, T, heads, w)

    q, k, v = (split(linear(x, p, f"{prefix}.{n}")) for n in ("query", "key", "value"))
    scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(w)
    scores = jnp.where(jnp.tril(jnp.ones((T, T), bool)), scores, -jnp.inf)
    a = jax.nn.softmax(scores, axis=-1)
    out = jnp.einsum("bhqk,bkhd->bqhd", a, v).reshape(B, T, D)
    return linear(out, p, prefix + ".output")


def block(x, p, prefix, c):
    h = x + attention(layernorm(x, p, prefix + ".norm1"), p, prefix + ".attention", c["H"])
    m = layernorm(h, p, prefix + ".norm2")
    m = jax.nn.gelu(linear(m, p, prefix + ".mlp.fc"), approximate=not c["exact_gelu"])
    return h + linear(m, p, prefix + ".mlp.projection")


def logits(p, ids, c):
    T = ids.shape[1]
    E = p["gpt.token_embedding.E"]
    h = E[ids] + p["gpt.position_embedding.P"][:T]
    for layer in range(c["L"]):
        h = block(h, p, f"gpt.block{layer}", c)
    return layernorm(h, p, "gpt.final_norm") @ E.T


def loss(p, ids, targets, c):
    z = jax.nn.log_softmax(logits(p, ids, c), axis=-1)
    return -jnp.take_along_axis(z, targets[..., None], axis=-1).mean()


def flat(a):
    return [float(v) for v in jnp.ravel(a)]


def adamw(p, ids, targets, c, o):
    m = {k: jnp.zeros_like(v) for k, v in p.items()}
    v2 = {k: jnp.zeros_like(v) for k, v in p.items()}
    b1t = b2t = 1.0
    losses = []
    grad = jax.value_and_grad(loss)
    for t in range(1, o["steps"] + 1):
        value, g = grad(p, ids, targets, c)
        losses.append(float(value))
        norm = jnp.sqrt(sum(jnp.sum(x * x) for x in g.values()))
        g = {k: x * (o["clip"] / jnp.maximum(norm, o["clip"])) for k, x in g.items()}
        b1t *= o["b1"]
        b2t *= o["b2"]
        W, N, floor, peak = o["warmup"], o["total"], o["floor"], o["lr"]
        if t <= W:
            lr = peak * t / W
        else:
            progress = min((t - W) / max(1, N - W), 1.0)
            lr = floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * progress))
        for k in p:
            m[k] = o["b1"] * m[k] + (1 - o["b1"]) * g[k]
            v2[k] = o["b2"] * v2[k] + (1 - o["b2"]) * g[k] * g[k]
            update = (m[k] / (1 - b1t)) / (jnp.sqrt(v2[k] / (1 - b2t)) + o["eps"])
            if p[k].ndim >= 2:
                update = update + o["wd"] * p[k]
            p = {**p, k: p[k] - lr * update}
    return losses, {k: flat(x) for k, x in p.items()}


M32 = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    ctr, (k0, k1) = list(ctr), key
    for _ in range(10):
        p0, p1 = 0xD2511F53 * ctr[0], 0xCD9E8D57 * ctr[2]
        ctr = [(p1 >> 32) ^ ctr[1] ^ k0, p1 & M32, (p0 >> 32) ^ ctr[3] ^ k1, p0 & M32]
        k0, k1 = (k0 + 0x9E3779B9) & M32, (k1 + 0xBB67AE85) & M32
    return ctr


def philox_stream(key, counter, count):
    out = []
    for i in range(count):
        w = philox4x32_10([i & M32, i >> 32, counter & M32, counter >> 32], [key & M32, key >> 32])
        out.append(str((w[0] | w[1] << 32) >> 11))
    return out


request = json.load(sys.stdin)
answer = {}
if "philox" in request:
    r = request["philox"]
    answer["philox"] = philox_stream(r["key"], r["counter"], r["count"])
if "params" in request:
    c = request["config"]
    p = {k: jnp.asarray(v["data"], jnp.float64).reshape(v["shape"]) for k, v in request["params"].items()}
    ids = jnp.asarray(request["ids"], jnp.int32)
    targets = jnp.asarray(request["targets"], jnp.int32)
    x = jnp.asarray(request["x"], jnp.float64)
    answer["layernorm"] = flat(layernorm(x, p, "gpt.block0.norm1"))
    answer["gelu_exact"] = flat(jax.nn.gelu(x, approximate=False))
    answer["gelu_tanh"] = flat(jax.nn.gelu(x, approximate=True))
    answer["attention"] = flat(attention(x, p, "gpt.block0.attention", c["H"]))
    answer["block"] = flat(block(x, p, "gpt.block0", c))
    answer["logits"] = flat(logits(p, ids, c))
    value, grads = jax.value_and_grad(loss)(p, ids, targets, c)
    answer["loss"] = float(value)
    answer["grads"] = {k: flat(g) for k, g in grads.items()}
    if "adamw" in request:
        answer["losses"], answer["trained"] = adamw(p, ids, targets, c, request["adamw"])
json.dump(answer, sys.stdout)
