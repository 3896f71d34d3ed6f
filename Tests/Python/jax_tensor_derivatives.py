"""Derivatives of tensor functions by JAX at float64, for TensorDerivativeJAXTests.

Reads one JSON object from standard input:
  {"variables": [["W", [2, 3]], ["b", [3]]],
   "cases": [{"f": "<jax.numpy expression in the variables>", "order": 2,
              "point": {"W": [flat values], "b": [...]}, "value": true}, ...]}
and prints one JSON array, one entry per case: an object mapping each method to the list of
partials, each flattened row-major, in the derivative tower's order (per order, multisets of
variable indices in lexicographic order: [0], [1], [0,0], [0,1], [1,1], [0,0,0], ...).  The
partial by variables i1 <= ... <= ik has shape f + T_i1 + ... + T_ik (jax.jacobian's convention).

With "value": true an entry also maps "value" to [f at the point, flattened].

Methods: "jacfwd(jacrev)" nests jax.jacfwd around one jax.jacrev for every order; "hessian" is
jax.hessian for order 2 and, for order 3, jax.jacfwd(jax.hessian(f)).
"""
import itertools
import json
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import jax.scipy.special as jsp  # noqa: E402
import numpy as np  # noqa: E402


def one_hot(x, n):
    return jax.nn.one_hot(x, n, dtype=jnp.float64)


def logsumexp(x, axis=-1):
    return jsp.logsumexp(x, axis=axis)


def softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=axis)


NAMES = {
    "jax": jax, "jnp": jnp, "jsp": jsp, "one_hot": one_hot, "logsumexp": logsumexp,
    "softmax": softmax,
}


def partials(nest, m, order):
    """The tower's partials from nested tuples indexed [i1][i2]...[ik] (i1 the innermost jacrev)."""
    out = []
    for k in range(1, order + 1):
        for combo in itertools.combinations_with_replacement(range(m), k):
            t = nest[k - 1]
            for i in combo:
                t = t[i]
            out.append(np.asarray(t, dtype=np.float64).reshape(-1).tolist())
    return out


def main():
    request = json.load(sys.stdin)
    names = [name for name, _ in request["variables"]]
    shapes = [shape for _, shape in request["variables"]]
    argnums = tuple(range(len(names)))
    functions = []
    points = []
    for case in request["cases"]:
        f = eval("lambda " + ", ".join(names) + ": " + case["f"], dict(NAMES))
        order = case["order"]
        nests = [jax.jacrev(f, argnums)]
        for _ in range(order - 1):
            nests.append(jax.jacfwd(nests[-1], argnums))
        hessians = []
        if order >= 2:
            hessian = jax.hessian(f, argnums)
            hessians = [nests[0], hessian] + ([jax.jacfwd(hessian, argnums)] if order >= 3 else [])
        functions.append((f, nests, hessians))
        points.append(
            [np.array(case["point"][n], dtype=np.float64).reshape(s) for n, s in zip(names, shapes)]
        )

    # Every case in one compiled function: XLA compiles once, where running the cases eagerly
    # would compile each primitive at each shape (most of the time, at these sizes).
    @jax.jit
    def everything(points):
        return [
            ([g(*p) for g in nests], [g(*p) for g in hessians], f(*p))
            for (f, nests, hessians), p in zip(functions, points)
        ]

    results = []
    for case, (by_nest, by_hessian, value) in zip(request["cases"], everything(points)):
        answer = {"jacfwd(jacrev)": partials(by_nest, len(names), case["order"])}
        if case.get("value"):
            answer["value"] = [np.asarray(value, dtype=np.float64).reshape(-1).tolist()]
        if by_hessian:
            answer["hessian"] = partials(by_hessian, len(names), case["order"])
        results.append(answer)
    json.dump(results, sys.stdout)


main()
