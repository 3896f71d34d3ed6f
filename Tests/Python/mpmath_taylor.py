"""Taylor coefficients of one-variable functions at a point, with mpmath at 50 significant digits.

Reads a JSON list on standard input, one entry per function:
    {"function": "lambda x: tanh(x)", "point": x, "order": n}
(the lambda in mpmath's namespace) and prints a JSON list of, for each entry, the coefficients
c_0, ..., c_n of the series at the point (c_k = f^(k)(x)/k!) rounded to the nearest double.
mpmath.taylor differentiates numerically with its working precision raised for the order, so
each coefficient keeps about 50 digits.
"""
import json
import sys

import mpmath

mpmath.mp.dps = 50


def coefficients(request):
    function = eval(request["function"], vars(mpmath))
    return [float(c) for c in mpmath.taylor(function, mpmath.mpf(request["point"]), request["order"])]


print(json.dumps([coefficients(request) for request in json.load(sys.stdin)]))
