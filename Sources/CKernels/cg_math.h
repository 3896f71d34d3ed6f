#ifndef COMPGRAPH_CG_MATH_H
#define COMPGRAPH_CG_MATH_H
// The branch-free exp, tanh, log, integer powers, sign, max and min of the
// vectorised kernels. Each is
// defined here once and also kept as text (cg_math_source in ckernels.h), so
// the C code CompGraph emits computes exactly what Program computes.
// Needs <math.h>, <stdint.h> and <string.h>.
//
// Fused multiply-adds only where written as fma(), never by contraction (from
// here to the end of the file that includes this one): fma rounds once on
// every machine, so the emitted C, whatever compiler and CPU build it,
// rounds exactly as Program.
#pragma STDC FP_CONTRACT OFF

#define CG_MATH_DEFINE(...) __VA_ARGS__ static const char cg_math_text[] = #__VA_ARGS__;

CG_MATH_DEFINE(
// e^r - 1 = r + r^2 P(r) for |r| <= ln2/2, P the degree-10 polynomial
// closest to (e^r - 1 - r)/r^2 there (Chebyshev fit; |error| < 3e-18, so
// < 1e-18 relative to e^r - 1), in Horner form with fused multiply-adds.
// fma is C99's: one instruction on CPUs with FMA (the kernels' x86-64-v3 and
// v4 clones, -march=native, every arm64), a correctly rounded libm call
// elsewhere -- the same value either way.
__attribute__((always_inline)) static inline double expm1_reduced(double r) {
  double p = 2.0914679452495193e-09;
  p = fma(p, r, 2.5105206480259365e-08);
  p = fma(p, r, 2.755727366116628e-07);
  p = fma(p, r, 2.755725542549107e-06);
  p = fma(p, r, 2.480158732553351e-05);
  p = fma(p, r, 1.9841269874800694e-04);
  p = fma(p, r, 1.3888888888883752e-03);
  p = fma(p, r, 8.333333333326141e-03);
  p = fma(p, r, 4.166666666666667e-02);
  p = fma(p, r, 1.666666666666667e-01);
  p = fma(p, r, 0.5);
  return fma(r * r, p, r);
}

static inline double from_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline int64_t to_bits(double d) { int64_t u; memcpy(&u, &d, 8); return u; }

// x = k ln2 + r, |r| <= ln2/2, for |x| <= 746: sets *k, returns e^r - 1.
__attribute__((always_inline)) static inline double reduce(double x, int64_t *k) {
  const double log2e = 1.4426950408889634, ln2hi = 6.93147180369123816490e-01,
               ln2lo = 1.90821492927058770002e-10, shifter = 6755399441055744.0;
  double kd = fma(x, log2e, shifter);
  *k = to_bits(kd) - to_bits(shifter);
  double kf = kd - shifter;
  return expm1_reduced(fma(-kf, ln2lo, fma(-kf, ln2hi, x)));
}

// e^x = 2^h (2^(k-h) (1 + (e^r - 1))), h = floor(k/2), so each factor is a
// double: < 1 ulp (one rounding; a subnormal result is rounded twice, <= 1 ulp). x is
// clamped to [-746, 710], beyond which the result underflows to 0 or
// overflows to +inf all the same.
__attribute__((always_inline)) static inline double exp_inline(double x) {
  int64_t k;
  double em = reduce(x > 710.0 ? 710.0 : (x < -746.0 ? -746.0 : x), &k);
  int64_t half = k >> 1;
  double s = from_bits((uint64_t)((k - half) + 1023) << 52);
  double y = fma(s, em, s) * from_bits((uint64_t)(half + 1023) << 52);
  return x != x ? x : y;
}

// tanh x = sign(x) e/(e + 2), e = e^{2|x|} - 1 (no cancellation near 0;
// < 3 ulp); 2|x| is clamped to 40, where tanh is 1 in doubles, so 2^k is
// one exponent. The sign is copied, so tanh(-0) = -0.
__attribute__((always_inline)) static inline double tanh_inline(double x) {
  double a = fabs(x) * 2.0;
  int64_t k;
  double em = reduce(a < 40.0 ? a : 40.0, &k);
  double s = from_bits((uint64_t)(k + 1023) << 52);
  double e = fma(s, em, s - 1.0);
  double t = e / (e + 2.0);
  return x != x ? x : copysign(t, x);
}

// ln x = k ln2 + ln m with m in [√½, √2): with f = m − 1 and s = f/(2 + f),
// ln m = 2 atanh s = 2s + 2s³/3 + 2s⁵/5 + … (fdlibm's series in s², to s¹⁵).
// Branch-free, so loops over it vectorise: subnormals are scaled by 2⁵² first,
// and 0, negatives, ∞ and NaN get their values through selects.
__attribute__((always_inline)) static inline double log_inline(double x) {
  int subnormal = x < 2.2250738585072014e-308;
  double xs = subnormal ? x * 4503599627370496.0 : x;
  uint64_t bits = (uint64_t)to_bits(xs);
  int64_t k = (int64_t)(bits - 0x3fe6a09e667f3bcdULL) >> 52;
  double m = from_bits(bits - ((uint64_t)k << 52));
  double f = m - 1.0;
  double s = f / (2.0 + f);
  double z = s * s;
  double w = z * z;
  const double L1 = 6.666666666666735130e-01, L2 = 3.999999999940941908e-01,
               L3 = 2.857142874366239149e-01, L4 = 2.222219843214978396e-01,
               L5 = 1.818357216161805012e-01, L6 = 1.531383769920937332e-01,
               L7 = 1.479819860511658591e-01;
  double t1 = w * fma(w, fma(w, L6, L4), L2);
  double t2 = z * fma(w, fma(w, fma(w, L7, L5), L3), L1);
  double r = t2 + t1;
  double hfsq = 0.5 * f * f;
  const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
  double kd = (double)(k - (subnormal ? 52 : 0));
  double y = fma(kd, ln2hi, -((hfsq - fma(s, hfsq + r, kd * ln2lo)) - f));
  y = x == 0.0 ? -INFINITY : y;
  y = (x < 0.0 || x != x) ? NAN : y;
  return x == INFINITY ? INFINITY : y;
}

// x^n for an integer |n| <= 127 by binary powering; the bits of n are the
// same in every lane, so the loop vectorises.  Exact for small powers of
// small integers ((-2)^3 = -8).
__attribute__((always_inline)) static inline double powi_inline(double x, double c) {
  long n = (long)c;
  long m = n < 0 ? -n : n;
  double result = 1.0, base = x;
  for (int bit = 0; bit < 7; bit++) {
    result *= (m >> bit) & 1 ? base : 1.0;
    base *= base;
  }
  return n < 0 ? 1.0 / result : result;
}

// sign x: -1, 0 (at ±0) or 1, NaN at NaN.
__attribute__((always_inline)) static inline double sign_inline(double x) {
  return x > 0 ? 1.0 : (x < 0 ? -1.0 : (x == 0 ? 0.0 : x));
}

// max and min with ties to the first operand, NaN if either operand is NaN.
__attribute__((always_inline)) static inline double max_inline(double x, double y) {
  return (x != x || y != y) ? x + y : (x >= y ? x : y);
}
__attribute__((always_inline)) static inline double min_inline(double x, double y) {
  return (x != x || y != y) ? x + y : (x <= y ? x : y);
}
)

#endif
