"""Runs the Python function `compgraph grad --format python|jax` prints.

Reads a JSON list on standard input, one entry per function:
    {"code": source, "function": name, "jax": bool, "inputs": {name: {"shape": [...], "values": [...]}}}
For each it executes the source, calls the function on the inputs (it returns a tuple in the
order of the module's OUTPUT_NAMES), and prints a JSON list of
{output name: {"shape": [...], "values": [...]}} (non-finite values as "nan", "inf", "-inf").
With "jax", the function runs under jax.jit in float64, and also under jax.vmap over a batch of
two copies of the point, which must give the jitted values twice (to 1e-14: vmap fuses
differently).
"""
import json
import sys

import numpy as np



def number(x):
    return float(x) if np.isfinite(x) else str(x)


def run(request):
    inputs = {
        name: np.array(entry["values"], dtype=np.float64).reshape(entry["shape"])
        for name, entry in request["inputs"].items()
    }
    namespace = {}
    exec(request["code"], namespace)
    function = namespace[request["function"]]
    names = namespace["OUTPUT_NAMES"]

    def by_name(values):
        assert isinstance(values, tuple) and len(values) == len(names), values
        return dict(zip(names, values))

    if request["jax"]:
        import jax

        jax.config.update("jax_enable_x64", True)
        results = by_name(jax.jit(function)(**inputs))
        batch = {name: np.stack([value, value]) for name, value in inputs.items()}
        batched = by_name(jax.vmap(function)(**batch))
        for name, value in results.items():
            for copy in np.asarray(batched[name]):
                np.testing.assert_allclose(
                    copy, np.asarray(value), rtol=1e-14, err_msg=f"vmap of {name}")
    else:
        results = by_name(function(**inputs))
    return {
        name: {"shape": list(np.shape(value)),
               "values": [number(x) for x in np.asarray(value, dtype=np.float64).reshape(-1)]}
        for name, value in results.items()
    }


print(json.dumps([run(request) for request in json.load(sys.stdin)]))
