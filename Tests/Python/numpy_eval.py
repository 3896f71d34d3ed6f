"""Evaluates a NumPy expression read from standard input and prints its value.

Used by PythonPeerTests to prove the test venv works; export tests add their own scripts here.
"""
import sys

import numpy as np

print(repr(float(eval(sys.stdin.read(), {"np": np}))))
