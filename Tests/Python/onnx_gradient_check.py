"""Checks exported derivative models of imported ONNX models against finite differences.

Reads a JSON list on standard input, one entry per model:
    {"original": "model.onnx", "gradient": "grad.onnx", "inputs": {name: "input_0.pb"},
     "wrt": [name, ...]}
The gradient model (CompGraph's export of ∂ sum(output)/∂ each name of "wrt", its outputs named
"d/<name>" in that order) takes the original's inputs and its initializers as inputs.

For each entry it runs onnx.checker.check_model(full_check=True) on the gradient model, runs it in
onnxruntime (CPU) with the test input and the original's initializer values, and compares each
gradient g with a central difference of f = sum(original output) along a random direction v:
    (f(w + h v) - f(w - h v)) / 2h  against  <g, v>.
An opset-6 original is first upgraded to opset 13 (onnxruntime has no opset-6 kernels).
The original model is evaluated in float64 when onnxruntime has float64 kernels for all its ops
(it is converted: every FLOAT type, initializer and constant made DOUBLE), with h = 1e-4 and the
tolerance 1e-4 (|fd - <g, v>| <= tol * (|g| |v| + |fd|)); otherwise in float32, with h = 1e-2
and tolerance 2e-2. Prints one JSON object per entry:
    {"checked": [name, ...], "float64": bool, "errors": [message, ...]}
"""
import json
import sys

import numpy as np
import onnx
import onnx.version_converter
import onnxruntime
from onnx import numpy_helper


def session(model):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    return onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def with_parameters_as_inputs(model):
    """The model with its real initializers as graph inputs only (onnxruntime treats an
    initializer as a constant, even when it is also listed among the inputs)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    listed = {i.name for i in g.input}
    kept = []
    for t in g.initializer:
        if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE):
            if t.name not in listed:
                g.input.append(onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
        else:
            kept.append(t)
    del g.initializer[:]
    g.initializer.extend(kept)
    return m


def as_float64(model):
    """The model with every float32 value made float64."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    for info in list(g.input) + list(g.output) + list(g.value_info):
        if info.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
            info.type.tensor_type.elem_type = onnx.TensorProto.DOUBLE

    def convert(tensor):
        if tensor.data_type == onnx.TensorProto.FLOAT:
            array = numpy_helper.to_array(tensor).astype(np.float64)
            tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))

    for t in g.initializer:
        convert(t)
    for node in g.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                convert(a.t)
            if node.op_type == "Cast" and a.name == "to" and a.i == onnx.TensorProto.FLOAT:
                a.i = onnx.TensorProto.DOUBLE
    return m


def main():
    results = []
    for entry in json.load(sys.stdin):
        errors = []
        original = onnx.load(entry["original"])
        if original.opset_import[0].version < 7:
            # onnxruntime has no kernels for opset 6 (the PyTorch test data's): upgrade it.
            original = onnx.version_converter.convert_version(original, 13)
        original = with_parameters_as_inputs(original)
        gradient = onnx.load(entry["gradient"])
        onnx.checker.check_model(gradient, full_check=True)
        initializers = {t.name: numpy_helper.to_array(t)
                        for t in onnx.load(entry["original"]).graph.initializer}
        inputs = {name: numpy_helper.to_array(onnx.load_tensor(path))
                  for name, path in entry["inputs"].items()}
        values = dict(initializers)
        values.update(inputs)
        # The export's inputs are float32 or float64 (an int64 input is imported as f64 values).
        wanted = {i.name: onnx.helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type)
                  for i in gradient.graph.input}
        grads = session(gradient).run(
            None, {k: v.astype(wanted[k]) for k, v in values.items() if k in wanted})
        by_name = dict(zip([o.name for o in gradient.graph.output], grads))
        try:
            model, h, tol, dtype = session(as_float64(original)), 1e-4, 1e-4, np.float64
            float64 = True
        except Exception:  # noqa: BLE001 - onnxruntime lacks a float64 kernel for some op
            model, h, tol, dtype = session(original), 1e-2, 2e-2, np.float32
            float64 = False
        feeds = {i.name for i in original.graph.input}

        def f(point):
            run = {k: (v.astype(dtype) if v.dtype.kind == "f" else v)
                   for k, v in point.items() if k in feeds}
            return float(np.sum(model.run(None, run)[0].astype(np.float64)))

        rng = np.random.default_rng(0)
        for name in entry["wrt"]:
            g = by_name["d/" + name].astype(np.float64)
            w = values[name].astype(np.float64)
            if g.shape != w.shape:
                errors.append(f"{name}: gradient shape {g.shape}, value shape {w.shape}")
                continue
            v = rng.standard_normal(w.shape)
            plus, minus = dict(values), dict(values)
            plus[name] = w + h * v
            minus[name] = w - h * v
            fd = (f(plus) - f(minus)) / (2 * h)
            dot = float(np.sum(g * v))
            bound = tol * (np.linalg.norm(g) * np.linalg.norm(v) + abs(fd))
            if not abs(fd - dot) <= bound:
                errors.append(f"{name}: finite difference {fd}, gradient {dot} (bound {bound})")
        results.append({"checked": entry["wrt"], "float64": float64, "errors": errors})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
