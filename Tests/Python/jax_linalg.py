"""Values and derivatives by JAX at float64, for LinearAlgebraJAXTests and ScanJAXTests.

Reads one JSON array from standard input, one case per entry:
  {"f": "<expression in jnp, jnp.linalg, jsl (jax.scipy.linalg) and lax (jax.lax)>",
   "variables": [["A", [3, 3]], ["B", [3, 2]]], "order": 3,
   "point": {"A": [flat values], "B": [...]}}
and prints one JSON array, one entry per case: the value (flattened row-major), then the
partials in the derivative tower's order (per order, multisets of variable indices in
lexicographic order: [0], [1], [0,0], [0,1], [1,1], [0,0,0], ...), each flattened; the partial
by variables i1 <= ... <= ik has shape f + T_i1 + ... + T_ik (jax.jacobian's), computed by
jax.jacfwd nests around one jax.jacrev.
"""
import itertools
import json
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402
import numpy as np  # noqa: E402


def flat(t):
    return np.asarray(t, dtype=np.float64).reshape(-1).tolist()


def main():
    answers = []
    for case in json.load(sys.stdin):
        names = [name for name, _ in case["variables"]]
        shapes = [shape for _, shape in case["variables"]]
        f = eval("lambda " + ", ".join(names) + ": " + case["f"], {"jnp": jnp, "jsl": jsl, "lax": jax.lax})
        argnums = tuple(range(len(names)))
        point = [np.array(case["point"][n], dtype=np.float64).reshape(s) for n, s in zip(names, shapes)]
        nests = [jax.jacrev(f, argnums)]
        for _ in range(case["order"] - 1):
            nests.append(jax.jacfwd(nests[-1], argnums))
        values = jax.jit(lambda *p: [f(*p)] + [g(*p) for g in nests])(*point)
        out = [flat(values[0])]
        for k in range(1, case["order"] + 1):
            for combo in itertools.combinations_with_replacement(range(len(names)), k):
                t = values[k]
                for i in combo:
                    t = t[i]
                out.append(flat(t))
        answers.append(out)
    json.dump(answers, sys.stdout)


main()
