"""Single ONNX operators run by ONNX's reference evaluator, for LayerFunctionTests.

Reads a JSON list on standard input, one entry per operator call:
    {"op": "LRN", "opset": 21, "attributes": {"size": 3},
     "inputs": [{"shape": [...], "values": [...], "dtype": "float64" or "int64"}, ...],
     "outputs": 1}
(an attribute {"float": x} is a float even when x is integral, as JSON cannot say; an input of
null is an omitted optional input; with "engine": "onnxruntime" the call runs in
onnxruntime instead, its float inputs as float32: onnx 1.23's reference LRN loops over axis 0
where it means the channels, so LRN is checked there) and prints a JSON list with each call's outputs,
each flattened row-major with its shape: [{"shape": [...], "values": [...]}, ...], non-finite
values as the strings "nan", "inf", "-inf".
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

TYPES = {
    "float64": (np.float64, TensorProto.DOUBLE),
    "float32": (np.float32, TensorProto.FLOAT),
    "int64": (np.int64, TensorProto.INT64),
}


def number(x):
    return float(x) if np.isfinite(x) else str(x)


def run(call):
    names, feeds, inputs, first = [], {}, [], None
    for k, entry in enumerate(call["inputs"]):
        if entry is None:
            names.append("")
            continue
        default = "float32" if call.get("engine") == "onnxruntime" else "float64"
        dtype, proto = TYPES[entry.get("dtype", default)]
        name = f"in{k}"
        names.append(name)
        feeds[name] = np.array(entry["values"], dtype=dtype).reshape(entry["shape"])
        inputs.append(helper.make_tensor_value_info(name, proto, entry["shape"]))
        first = first or proto
    outputs = [f"out{k}" for k in range(call.get("outputs", 1))]
    attributes = {k: float(v["float"]) if isinstance(v, dict) else v
                  for k, v in call.get("attributes", {}).items()}
    node = helper.make_node(call["op"], names, outputs, **attributes)
    graph = helper.make_graph(
        [node], "call", inputs,
        [helper.make_tensor_value_info(o, first, None) for o in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", call.get("opset", 21))])
    if call.get("engine") == "onnxruntime":
        import onnxruntime

        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"])
        results = session.run(None, feeds)
    else:
        results = ReferenceEvaluator(model).run(None, feeds)
    return [{"shape": list(np.shape(r)),
             "values": [number(v) for v in np.asarray(r, dtype=np.float64).reshape(-1)]}
            for r in results]


json.dump([run(call) for call in json.load(sys.stdin)], sys.stdout)
