#ifndef COMPGRAPH_CG_MATH_F32_H
#define COMPGRAPH_CG_MATH_F32_H
// The branch-free single-precision exp, tanh and log of the f32 kernels
// (kernels_f32.c), computed in float throughout so that a vector holds twice
// the lanes of the double kernels. Their error against the correctly rounded
// result (f64 libm's value rounded to float) is measured over every float in
// their range by F32KernelTests: exp <= 1 ulp, log <= 1 ulp, tanh <= 2 ulp
// (the spelling table's ulpsF32). Each is defined here once and also kept as
// text (cg_math_f32_source in ckernels.h), so the C code CompGraph emits for
// f32 nodes computes exactly what an f32 Program computes.
// Needs <math.h>, <stdint.h> and <string.h>.
#pragma STDC FP_CONTRACT OFF

#define CG_MATH_F32_DEFINE(...) __VA_ARGS__ static const char cg_math_f32_text[] = #__VA_ARGS__;

CG_MATH_F32_DEFINE(

static inline float from_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline int32_t to_bits_f32(float f) { int32_t u; memcpy(&u, &f, 4); return u; }

// e^r - 1 = r + r^2 P(r) for |r| <= ln2/2, P the Taylor polynomial of
// (e^r - 1 - r)/r^2 to r^5 (truncation < 6e-9, a tenth of a float ulp).
__attribute__((always_inline)) static inline float expm1_reduced_f32(float r) {
  float p = 1.0f / 5040.0f;
  p = fmaf(p, r, 1.0f / 720.0f);
  p = fmaf(p, r, 1.0f / 120.0f);
  p = fmaf(p, r, 1.0f / 24.0f);
  p = fmaf(p, r, 1.0f / 6.0f);
  p = fmaf(p, r, 0.5f);
  return fmaf(r * r, p, r);
}

// x = k ln2 + r, |r| <= ln2/2, for |x| <= 104: sets *k, returns e^r - 1.
// ln2hi has 15 significant bits, so k ln2hi is exact for |k| <= 256.
__attribute__((always_inline)) static inline float reduce_f32(float x, int32_t *k) {
  const float log2e = 1.44269504088896341f, ln2hi = 0.693145751953125f,
              ln2lo = 1.42860682030941723e-06f, shifter = 12582912.0f;
  float kd = fmaf(x, log2e, shifter);
  *k = to_bits_f32(kd) - to_bits_f32(shifter);
  float kf = kd - shifter;
  return expm1_reduced_f32(fmaf(-kf, ln2lo, fmaf(-kf, ln2hi, x)));
}

// e^x = 2^h (2^(k-h) (1 + (e^r - 1))), h = floor(k/2), so each factor is a
// float. x is clamped to [-104, 89], beyond which the result underflows to 0
// or overflows to +inf all the same.
__attribute__((always_inline)) static inline float expf_inline(float x) {
  int32_t k;
  float em = reduce_f32(x > 89.0f ? 89.0f : (x < -104.0f ? -104.0f : x), &k);
  int32_t half = k >> 1;
  float s = from_bits_f32((uint32_t)((k - half) + 127) << 23);
  float y = fmaf(s, em, s) * from_bits_f32((uint32_t)(half + 127) << 23);
  return x != x ? x : y;
}

// tanh x = sign(x) e/(e + 2), e = e^{2|x|} - 1 (no cancellation near 0);
// 2|x| is clamped to 20, where tanh is 1 in floats. tanh(-0) = -0.
__attribute__((always_inline)) static inline float tanhf_inline(float x) {
  float a = fabsf(x) * 2.0f;
  int32_t k;
  float em = reduce_f32(a < 20.0f ? a : 20.0f, &k);
  float s = from_bits_f32((uint32_t)(k + 127) << 23);
  float e = fmaf(s, em, s - 1.0f);
  float t = e / (e + 2.0f);
  return x != x ? x : copysignf(t, x);
}

// ln x = k ln2 + ln m with m in [√½, √2): with f = m − 1 and s = f/(2 + f),
// ln m = 2 atanh s, its series in s² to s⁹ (musl's logf coefficients).
// Branch-free: subnormals are scaled by 2²³ first, and 0, negatives, ∞ and
// NaN get their values through selects.
__attribute__((always_inline)) static inline float logf_inline(float x) {
  int subnormal = x < 1.17549435e-38f;
  float xs = subnormal ? x * 8388608.0f : x;
  uint32_t ix = (uint32_t)to_bits_f32(xs) + (0x3f800000u - 0x3f3504f3u);
  int32_t k = (int32_t)(ix >> 23) - 0x7f - (subnormal ? 23 : 0);
  float m = from_bits_f32((ix & 0x007fffffu) + 0x3f3504f3u);
  float f = m - 1.0f;
  float s = f / (2.0f + f);
  float z = s * s;
  float w = z * z;
  const float Lg1 = 0.66666662693f, Lg2 = 0.40000972152f, Lg3 = 0.28498786688f,
              Lg4 = 0.24279078841f;
  float t1 = w * (Lg2 + w * Lg4);
  float t2 = z * (Lg1 + w * Lg3);
  float r = t2 + t1;
  float hfsq = 0.5f * f * f;
  const float ln2hi = 6.9313812256e-01f, ln2lo = 9.0580006145e-06f;
  float dk = (float)k;
  float y = s * (hfsq + r) + dk * ln2lo - hfsq + f + dk * ln2hi;
  y = x == 0.0f ? -INFINITY : y;
  y = (x < 0.0f || x != x) ? NAN : y;
  return x == INFINITY ? INFINITY : y;
}

// x^n for an integer |n| <= 127 by binary powering (as powi_inline).
__attribute__((always_inline)) static inline float powif_inline(float x, double c) {
  long n = (long)c;
  long m = n < 0 ? -n : n;
  float result = 1.0f, base = x;
  for (int bit = 0; bit < 7; bit++) {
    result *= (m >> bit) & 1 ? base : 1.0f;
    base *= base;
  }
  return n < 0 ? 1.0f / result : result;
}

__attribute__((always_inline)) static inline float signf_inline(float x) {
  return x > 0 ? 1.0f : (x < 0 ? -1.0f : (x == 0 ? 0.0f : x));
}
__attribute__((always_inline)) static inline float maxf_inline(float x, float y) {
  return (x != x || y != y) ? x + y : (x >= y ? x : y);
}
__attribute__((always_inline)) static inline float minf_inline(float x, float y) {
  return (x != x || y != y) ? x + y : (x <= y ? x : y);
}

// x^(-1/2) as pow gives it: +inf at -0 and 0 at -inf (sqrt and the division
// round once in double, and the result once to float).
__attribute__((always_inline)) static inline float rsqrtf_inline(float x) {
  return x == -INFINITY ? 0.0f : (float)(1.0 / sqrt((double)x + 0.0));
}
)

#endif
