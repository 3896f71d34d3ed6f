"""Exact derivatives of one-variable functions, with mpmath at 800 digits (numerical differentiation loses about half of them; enough for derivatives as small as e^-600).

Reads a JSON list on standard input, one entry per function:
    {"function": "lambda x: tanh(x)", "points": [x, ...], "order": n}
(the lambda in mpmath's namespace) and prints a JSON list of, for each entry, for each point,
the values f, f′, …, f⁽ⁿ⁾ rounded to the nearest double.
"""
import json
import sys

import mpmath

mpmath.mp.dps = 800


def derivatives(request):
    function = eval(request["function"], vars(mpmath))
    return [
        [float(mpmath.diff(function, mpmath.mpf(x), k)) for k in range(request["order"] + 1)]
        for x in request["points"]
    ]


print(json.dumps([derivatives(request) for request in json.load(sys.stdin)]))
