#include "ckernels.h"
#include <math.h>
#include <string.h>

// e^r - 1 for |r| <= ln2/2: Taylor to r^13 in Horner form (error < 2e-17).
static inline double expm1_reduced(double r) {
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  return (p * r + 1.0) * r;
}

static inline double from_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline int64_t to_bits(double d) { int64_t u; memcpy(&u, &d, 8); return u; }

// x = k ln2 + r, |r| <= ln2/2: *scale = 2^k, returns e^r - 1.  x is clamped
// to [-745, 709]; 2^k is built from two halves so it stays representable.
static inline double reduce(double x, double *scale) {
  const double log2e = 1.4426950408889634, ln2hi = 6.93147180369123816490e-01,
               ln2lo = 1.90821492927058770002e-10, shifter = 6755399441055744.0;
  double xc = x > 709.0 ? 709.0 : (x < -745.0 ? -745.0 : x);
  double kd = xc * log2e + shifter;
  int64_t k = to_bits(kd) - to_bits(shifter);
  double kf = kd - shifter;
  double r = (xc - kf * ln2hi) - kf * ln2lo;
  int64_t half = k >> 1;
  *scale = from_bits((uint64_t)(half + 1023) << 52) * from_bits((uint64_t)((k - half) + 1023) << 52);
  return expm1_reduced(r);
}

static inline double exp_inline(double x) {
  double s;
  double em = reduce(x, &s);
  double y = s * em + s;
  return x > 709.78 ? INFINITY : (x != x ? x : y);
}

// tanh x = sign(x) e/(e + 2), e = e^{2|x|} - 1 (no cancellation near 0).
static inline double tanh_inline(double x) {
  double a = fabs(x) * 2.0;
  a = a < 40.0 ? a : 40.0;
  double s;
  double em = reduce(a, &s);
  double e = s * em + (s - 1.0);
  double t = e / (e + 2.0);
  return x != x ? x : (x < 0 ? -t : t);
}

double cg_exp(double x) { return exp_inline(x); }
double cg_tanh(double x) { return tanh_inline(x); }

static inline double pow_exact(double x, double c) { return pow(x, c); }

// sqrt without errno, so it vectorises.
#if __has_builtin(__builtin_elementwise_sqrt)
#define SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define SQRT(x) sqrt(x)
#endif

#define LANES(expr) for (long i = 0; i < length; i++) { t[i] = (expr); }

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void cg_run(const cg_instruction *code, long count, double *registers, long stride, long length) {
  for (long n = 0; n < count; n++) {
    const cg_instruction ins = code[n];
    double *t = registers + (long)ins.target * stride;
    const double *a = registers + (long)ins.a * stride;
    const double *b = registers + (long)ins.b * stride;
    const double c = ins.c;
    switch ((cg_code)ins.code) {
      case CG_ADD: LANES(a[i] + b[i]) break;
      case CG_MUL: LANES(a[i] * b[i]) break;
      case CG_NEG: LANES(-a[i]) break;
      case CG_COPY: LANES(a[i]) break;
      case CG_SQUARE: LANES(a[i] * a[i]) break;
      case CG_CUBE: LANES(a[i] * a[i] * a[i]) break;
      case CG_RECIP: LANES(1.0 / a[i]) break;
      case CG_SQRT: LANES(SQRT(a[i])) break;
      case CG_POW: LANES(pow_exact(a[i], c)) break;
      case CG_EXP: LANES(exp_inline(a[i])) break;
      case CG_TANH: LANES(tanh_inline(a[i])) break;
      case CG_LN: LANES(log(a[i])) break;
      case CG_SIN: LANES(sin(a[i])) break;
      case CG_COS: LANES(cos(a[i])) break;
    }
  }
}

void cg_run_point(const cg_instruction *code, long count, double *r) {
  for (long n = 0; n < count; n++) {
    const cg_instruction ins = code[n];
    const double a = r[ins.a];
    double y;
    switch ((cg_code)ins.code) {
      case CG_ADD: y = a + r[ins.b]; break;
      case CG_MUL: y = a * r[ins.b]; break;
      case CG_NEG: y = -a; break;
      case CG_COPY: y = a; break;
      case CG_SQUARE: y = a * a; break;
      case CG_CUBE: y = a * a * a; break;
      case CG_RECIP: y = 1.0 / a; break;
      case CG_SQRT: y = sqrt(a); break;
      case CG_POW: y = pow_exact(a, ins.c); break;
      case CG_EXP: y = exp(a); break;
      case CG_TANH: y = tanh(a); break;
      case CG_LN: y = log(a); break;
      case CG_SIN: y = sin(a); break;
      case CG_COS: y = cos(a); break;
      default: y = a; break;
    }
    r[ins.target] = y;
  }
}
