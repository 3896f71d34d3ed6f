// The f32 twin of cg_run (kernels.c): the same register code over float
// registers, for tensor plans whose values are f32. The elementwise ops'
// cases are the spelling table's f32 column (cg_elementwise.h): exp, log and
// tanh are the float kernels of cg_math_f32.h (vectorised, twice the lanes of
// double's); the functions kernels.c leaves to libm call the double libm on
// the widened operands and round once, as the reference evaluator computes an
// f32 node.
#include "ckernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// sqrt without errno, so it vectorises (rsqrtf_inline and the table's sqrtf).
#if __has_builtin(__builtin_elementwise_sqrt)
#define sqrt(x) __builtin_elementwise_sqrt(x)
#define sqrtf(x) __builtin_elementwise_sqrt(x)
#endif

#include "cg_math_f32.h"

const char *cg_math_f32_source(void) { return cg_math_f32_text; }

#pragma clang diagnostic error "-Wswitch"
#pragma GCC diagnostic error "-Wswitch"

float cg_expf(float x) { return expf_inline(x); }
float cg_tanhf(float x) { return tanhf_inline(x); }
float cg_logf(float x) { return logf_inline(x); }

#define LANES(expr) _Pragma("clang loop vectorize(assume_safety)") for (long i = 0; i < length; i++) { t[i] = (expr); }
// For libm calls, which do not vectorise.
#define CALLS(expr) for (long i = 0; i < length; i++) { t[i] = (expr); }

// A custom op's kernel takes doubles: its operands are widened a block at a
// time and its results rounded (the registers it does not read are widened
// too, as cg_run passes them all).
#define CALL_BLOCK 256
static void call_widened(const cg_instruction *ins, const float *a, const float *b, const float *d,
                         float *t, long length) {
  double xs[CALL_BLOCK], ys[CALL_BLOCK], zs[CALL_BLOCK], out[CALL_BLOCK];
  for (long k0 = 0; k0 < length; k0 += CALL_BLOCK) {
    const long m = length - k0 < CALL_BLOCK ? length - k0 : CALL_BLOCK;
    for (long k = 0; k < m; k++) {
      xs[k] = a[k0 + k];
      ys[k] = b[k0 + k];
      zs[k] = d[k0 + k];
    }
    ins->call(ins->context, xs, ys, zs, out, m);
    for (long k = 0; k < m; k++) t[k0 + k] = (float)out[k];
  }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void cg_run_f32(const cg_instruction *code, long count, float *const *registers, long length) {
  for (long n = 0; n < count; n++) {
    const cg_instruction ins = code[n];
    float *t = registers[ins.target];
    const float *a = registers[ins.a];
    const float *b = registers[ins.b];
    const float *d = registers[ins.d];
    const double c = ins.c;
    switch ((cg_code)ins.code) {
      case CG_ADD: LANES(a[i] + b[i]) break;
      case CG_MUL: LANES(a[i] * b[i]) break;
      case CG_NEG: LANES(-a[i]) break;
      case CG_COPY: LANES(a[i]) break;
      case CG_SQUARE: LANES(a[i] * a[i]) break;
      case CG_CUBE: LANES((float)((double)a[i] * a[i] * a[i])) break;
      case CG_RECIP: LANES(1.0f / a[i]) break;
      case CG_RSQRT: LANES(rsqrtf_inline(a[i])) break;
      case CG_POWI: LANES(powif_inline(a[i], c)) break;
      case CG_POW: CALLS((float)pow((double)a[i], c)) break;
// The elementwise ops, one case each: the table's f32 expression on lane i.
#define X a[i]
#define Y b[i]
#define Z d[i]
#define RUN(code, arity, loop, expression, f32) case code: loop(f32) break;
      CG_ELEMENTWISE(RUN)
#undef RUN
#undef X
#undef Y
#undef Z
      case CG_CALL: call_widened(&ins, a, b, d, t, length); break;
      case CG_SUM:      // lowered to chains of CG_ADD
      case CG_PRODUCT:  // and of CG_MUL
        break;
    }
  }
}
