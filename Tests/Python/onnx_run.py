"""Checks ONNX models and runs them in onnxruntime.

Reads a JSON list on standard input, one entry per model:
    {"model": "path.onnx", "inputs": {name: {"shape": [...], "values": [...]}}}
For each it runs onnx.checker.check_model(full_check=True), then the model on onnxruntime's
CPU provider, and prints a JSON list of {output name: {"shape": [...], "values": [...]}}
(values row-major; non-finite ones as the strings "nan", "inf", "-inf").
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime


def tensor(entry):
    return np.array(entry["values"], dtype=np.float64).reshape(entry["shape"])


def number(x):
    return float(x) if np.isfinite(x) else str(x)


def run(model_path, inputs):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    values = session.run(names, {name: tensor(entry) for name, entry in inputs.items()})
    return {
        name: {"shape": list(value.shape), "values": [number(x) for x in value.reshape(-1)]}
        for name, value in zip(names, values)
    }


print(json.dumps([run(case["model"], case["inputs"]) for case in json.load(sys.stdin)]))
