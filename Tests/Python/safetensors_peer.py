"""Writes or reads a safetensors file with the `safetensors` package (its NumPy API).

    safetensors_peer.py write PATH   writes the tensors SafetensorsTests expects (F64, F32, I64)
    safetensors_peer.py read PATH    prints every tensor as JSON: {name: {"shape": [...], "values": [...]}}
"""
import json
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

mode, path = sys.argv[1], sys.argv[2]
if mode == "write":
    save_file(
        {
            "layer.W": (np.arange(6, dtype=np.float64).reshape(2, 3) / 7.0 - 0.25),
            "layer.b": np.array([0.5, -1.5, 2.25], dtype=np.float32),
            "steps": np.array([3, -4], dtype=np.int64),
            "scalar": np.array(np.pi, dtype=np.float64),
        },
        path,
        metadata={"format": "np"},
    )
else:
    tensors = load_file(path)
    print(json.dumps({k: {"shape": list(v.shape), "dtype": str(v.dtype), "values": v.reshape(-1).tolist()}
                      for k, v in tensors.items()}))
