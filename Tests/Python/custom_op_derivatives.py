"""Reference derivatives for CustomOpTests, with mpmath at 60 digits.

Each line of standard input is `sinc N X` (the N-th derivative of sin(x)/x, 1 at 0) or
`logaddexp N M A B` (the derivative of ln(e^a + e^b), N times in a and M times in b); each line
of output is the value, to 17 significant digits.
"""
import sys

import mpmath

mpmath.mp.dps = 60


def sinc_derivative(n, x):
    """sinc x = ∫₀¹ cos(xt) dt, so sinc⁽ⁿ⁾(x) = ∫₀¹ tⁿ cos⁽ⁿ⁾(xt) dt, cos⁽ⁿ⁾ being ±cos or ±sin,
    and ±sin(xt) = ±x·t·sinc(xt), so that the integrand is not tiny where x is: exact at any x,
    1e-300 included (numerical differentiation is not, there)."""
    sign = [1, -1, -1, 1][n % 4]
    if n % 2 == 0:
        return sign * mpmath.quad(lambda t: t**n * mpmath.cos(x * t), [0, 1])
    return sign * x * mpmath.quad(lambda t: t ** (n + 1) * mpmath.sinc(x * t), [0, 1])


def logaddexp(a, b):
    return mpmath.log(mpmath.exp(a) + mpmath.exp(b))


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "sinc":
        n, x = int(words[1]), mpmath.mpf(words[2])
        value = sinc_derivative(n, x)
    elif words[0] == "logaddexp":
        n, m, a, b = int(words[1]), int(words[2]), mpmath.mpf(words[3]), mpmath.mpf(words[4])
        value = mpmath.diff(logaddexp, (a, b), (n, m))
    else:
        sys.exit(f"unknown op {words[0]!r}")
    print(mpmath.nstr(value, 17, min_fixed=-1, max_fixed=1, strip_zeros=False))
