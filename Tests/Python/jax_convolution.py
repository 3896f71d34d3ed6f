"""Convolutions and pools and their derivatives by JAX at float64, for ConvolutionJAXTests.

Reads one JSON array from standard input, one case a line of it:
  {"variables": [["x", [1, 2, 5, 5]], ["w", [3, 2, 3, 3]]], "f": "<expression>", "order": 2,
   "point": {"x": [flat values], ...}}
and prints one JSON array: per case, the value of f and its partials to `order`, each flattened
row-major, in the derivative tower's order (per order, multisets of variable indices in
lexicographic order), with jax.jacobian's shapes.

The expressions use jax.numpy as `jnp` and the ONNX operators below, written here from
jax.lax's own convolution and reduce_window (not from CompGraph's patches): `conv`,
`conv_transpose`, `max_pool`, `average_pool`.
"""
import itertools
import json
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402


def ones(n, value=1):
    return [value] * n


def conv(x, w, b=None, strides=None, pads=None, dilations=None, groups=1):
    """ONNX Conv: x (N, C, D...), w (M, C/G, K...), pads [b..., e...]."""
    d = w.ndim - 2
    strides = strides or ones(d)
    dilations = dilations or ones(d)
    pads = pads or ones(2 * d, 0)
    y = lax.conv_general_dilated(
        x, w, window_strides=strides, padding=[(pads[i], pads[d + i]) for i in range(d)],
        rhs_dilation=dilations, feature_group_count=groups,
        precision=lax.Precision.HIGHEST)
    if b is not None:
        y = y + b.reshape((-1,) + (1,) * d)
    return y


def conv_transpose(x, w, b=None, strides=None, pads=None, output_padding=None, dilations=None,
                   groups=1):
    """ONNX ConvTranspose: x (N, C, I...), w (C, M/G, K...), as a convolution of x dilated by the
    strides with the flipped kernel, padded by d(K - 1) less the pads."""
    d = w.ndim - 2
    strides = strides or ones(d)
    dilations = dilations or ones(d)
    pads = pads or ones(2 * d, 0)
    output_padding = output_padding or ones(d, 0)
    c, mg = w.shape[0], w.shape[1]
    k = w.shape[2:]
    # (C, M/G, K) -> (G, C/G, M/G, K) -> (G, M/G, C/G, K) -> (M, C/G, K), flipped.
    kernel = w.reshape((groups, c // groups, mg) + k).swapaxes(1, 2).reshape(
        (groups * mg, c // groups) + k)
    kernel = jnp.flip(kernel, axis=tuple(range(2, 2 + d)))
    padding = [
        (dilations[i] * (k[i] - 1) - pads[i],
         dilations[i] * (k[i] - 1) - pads[d + i] + output_padding[i])
        for i in range(d)
    ]
    y = lax.conv_general_dilated(
        x, kernel, window_strides=ones(d), padding=padding, lhs_dilation=strides,
        rhs_dilation=dilations, feature_group_count=groups, precision=lax.Precision.HIGHEST)
    if b is not None:
        y = y + b.reshape((-1,) + (1,) * d)
    return y


def _pool_padding(x, kernel, strides, pads, dilations, ceil_mode):
    """reduce_window's padding: ONNX's pads, and with ceil_mode the end grown so the window
    count rounds up (less a last window starting past the input and its begin padding)."""
    d = len(kernel)
    spatial = x.shape[-d:]
    padding = []
    for i in range(d):
        b, e = pads[i], pads[d + i]
        span = spatial[i] + b + e - dilations[i] * (kernel[i] - 1) - 1
        extra = 0
        if ceil_mode:
            count = -(-span // strides[i]) + 1
            if (count - 1) * strides[i] >= spatial[i] + b:
                count -= 1
            extra = max(0, (count - 1) * strides[i] - span)
        padding.append((b, e + extra))
    lead = [(0, 0)] * (x.ndim - d)
    return lead + padding


def max_pool(x, kernel, strides=None, pads=None, dilations=None, ceil_mode=False):
    d = len(kernel)
    strides = strides or ones(d)
    dilations = dilations or ones(d)
    pads = pads or ones(2 * d, 0)
    lead = x.ndim - d
    padding = _pool_padding(x, kernel, strides, pads, dilations, ceil_mode)
    if any(dl != 1 for dl in dilations):
        # JAX has no VJP for a dilated max reduce_window: the maximum of the taps, each a strided
        # slice of the input padded with -inf.
        padded = jnp.pad(x, padding, constant_values=-jnp.inf)
        counts = [(padded.shape[lead + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
                  for i in range(d)]
        taps = []
        for k in itertools.product(*[range(n) for n in kernel]):
            index = (slice(None),) * lead + tuple(
                slice(k[i] * dilations[i], k[i] * dilations[i] + (counts[i] - 1) * strides[i] + 1,
                      strides[i]) for i in range(d))
            taps.append(padded[index])
        return jnp.max(jnp.stack(taps), axis=0)
    return lax.reduce_window(
        x, -jnp.inf, lax.max, (1,) * lead + tuple(kernel), (1,) * lead + tuple(strides),
        padding)


def average_pool(x, kernel, strides=None, pads=None, dilations=None, ceil_mode=False,
                 count_include_pad=False):
    d = len(kernel)
    strides = strides or ones(d)
    dilations = dilations or ones(d)
    pads = pads or ones(2 * d, 0)
    lead = x.ndim - d
    padding = _pool_padding(x, kernel, strides, pads, dilations, ceil_mode)
    window = dict(
        window_dimensions=(1,) * lead + tuple(kernel),
        window_strides=(1,) * lead + tuple(strides),
        window_dilation=(1,) * lead + tuple(dilations))
    total = lax.reduce_window(x, 0.0, lax.add, padding=padding, **window)
    ones_ = jnp.ones(x.shape[-d:])
    if count_include_pad:  # the explicit pads count, the ceil mode's extra positions do not
        ones_ = jnp.pad(ones_, [(pads[i], pads[d + i]) for i in range(d)], constant_values=1.0)
        count_padding = [(0, p[1] - pads[d + i]) for i, p in enumerate(padding[lead:])]
    else:
        count_padding = padding[lead:]
    count = lax.reduce_window(
        ones_, 0.0, lax.add, tuple(kernel), tuple(strides), count_padding,
        window_dilation=tuple(dilations))
    return total / count


NAMES = {
    "jnp": jnp, "conv": conv, "conv_transpose": conv_transpose, "max_pool": max_pool,
    "average_pool": average_pool,
}


def partials(nest, m, order):
    out = []
    for k in range(1, order + 1):
        for combo in itertools.combinations_with_replacement(range(m), k):
            t = nest[k - 1]
            for i in combo:
                t = t[i]
            out.append(np.asarray(t, dtype=np.float64).reshape(-1).tolist())
    return out


def main():
    results = []
    for case in json.load(sys.stdin):
        names = [name for name, _ in case["variables"]]
        shapes = [shape for _, shape in case["variables"]]
        argnums = tuple(range(len(names)))
        f = eval("lambda " + ", ".join(names) + ": " + case["f"], dict(NAMES))
        point = [np.array(case["point"][n], dtype=np.float64).reshape(s)
                 for n, s in zip(names, shapes)]
        nests = [jax.jacrev(f, argnums)]
        for _ in range(case["order"] - 1):
            nests.append(jax.jacfwd(nests[-1], argnums))
        # Compiled, every order in one function: eager nests of jacfwd dispatch op by op.
        everything = jax.jit(lambda *p: [f(*p)] + [g(*p) for g in nests])(*point)
        value = np.asarray(everything[0]).reshape(-1).tolist()
        results.append([value] + partials(everything[1:], len(names), case["order"]))
    json.dump(results, sys.stdout)


main()
