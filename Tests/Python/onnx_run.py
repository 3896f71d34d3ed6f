"""Checks ONNX models and runs them in onnxruntime.

Reads a JSON list on standard input, one entry per model:
    {"model": "path.onnx", "inputs": {name: {"shape": [...], "values": [...]}}, "engine": ...}
(each input fed in the model's type for it, float32 or float64).
For each it runs onnx.checker.check_model(full_check=True), then the model on onnxruntime's
CPU provider (or, with "engine": "reference", in ONNX's reference evaluator, for operators
onnxruntime runs in float32 only), and prints a JSON list of
{output name: {"shape": [...], "values": [...]}} (values row-major; non-finite ones as the
strings "nan", "inf", "-inf").
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime


def tensor(entry, dtype):
    return np.array(entry["values"], dtype=dtype).reshape(entry["shape"])


def input_types(model):
    """Each graph input's NumPy type (float32 or float64), by name."""
    return {i.name: onnx.helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type)
            for i in model.graph.input}


def number(x):
    return float(x) if np.isfinite(x) else str(x)


def reference(model):
    """ONNX's reference evaluator, with Erf in the input's precision (the reference computes it
    in float32, onnx 1.x: onnx/reference/ops/op_erf.py)."""
    from math import erf

    from onnx.reference import ReferenceEvaluator
    from onnx.reference.ops._op import OpRunUnaryNum

    class Erf(OpRunUnaryNum):
        op_domain = ""

        def _run(self, x):
            return (np.vectorize(erf, otypes=[x.dtype])(x),)

    return ReferenceEvaluator(model, new_ops=[Erf])


def run(model_path, inputs, engine):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    types = input_types(model)
    feeds = {name: tensor(entry, types[name]) for name, entry in inputs.items()}
    names = [output.name for output in model.graph.output]
    if engine == "reference":
        values = [np.asarray(v) for v in reference(model).run(names, feeds)]
    else:
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"])
        values = session.run(names, feeds)
    return {
        name: {"shape": list(value.shape), "values": [number(x) for x in value.reshape(-1)]}
        for name, value in zip(names, values)
    }


print(json.dumps([
    run(case["model"], case["inputs"], case.get("engine", "onnxruntime"))
    for case in json.load(sys.stdin)
]))
