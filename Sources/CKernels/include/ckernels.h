#ifndef COMPGRAPH_CKERNELS_H
#define COMPGRAPH_CKERNELS_H
// Batch kernels for CompGraph's compiled Program: the straight-line register
// code runs here so that its inner loops are vectorised for the CPU at hand
// (function multi-versioning picks AVX-512, AVX2 or baseline at load time).
// No stable Swift API: its callers are Program.swift, PointPlan.swift and
// ScalarKernel.swift (the op-to-kernel table), all in Sources/CompGraph/Compile/.

#include <stddef.h>
#include <stdint.h>

#include "cg_elementwise.h"

// The kernels switch on this enum with every case listed and -Wswitch an
// error (kernels.c, kernels_f32.c), so a code without a kernel fails the build.  The
// elementwise ops' codes come first, from the spelling table (cg_elementwise.h:
// CG_EXP, CG_MAX, CG_WHERE, ...); then those of Program's own steps.
#define CG_CODE(code, arity, loop, expression, f32) code,
typedef enum {
  CG_ELEMENTWISE(CG_CODE)
  CG_ADD, CG_MUL, CG_NEG, CG_SQUARE, CG_CUBE, CG_RECIP, CG_COPY,
  CG_RSQRT,  // x^(-1/2)
  CG_POWI,   // x^c for an integer |c| <= 127, by squaring
  CG_POW,    // x^c for any other constant c
  CG_SUM,    // point plan only: an n-ary sum (`arity` inputs per node)
  CG_PRODUCT, // point plan only: an n-ary product
  CG_CALL    // the caller's kernel (a custom op): `call`, `context`
} cg_code;
#undef CG_CODE

// A kernel of the caller's (CompGraph's custom ops): out[i] = f(a[i], b[i], d[i]) for
// i < length, reading as many operands as the op takes (b and d may be NULL).
typedef void (*cg_kernel)(const void *context, const double *a, const double *b, const double *d,
                          double *out, long length);

// A sum of at least CG_SPLIT_SUM operands is four running sums, the j-th over
// operands j, j+4, j+8, ... in order, then (s0 + s1) + (s2 + s3): four
// independent chains of additions instead of one, each waiting on the last.
// Program's point and batch code and the C export (Graph.cCode) all sum so,
// and agree to the last bit.
#define CG_SPLIT_SUM 16

typedef struct {
  int32_t code;    // a cg_code
  int32_t target;  // register written
  int32_t a;       // first operand register
  int32_t b;       // second operand register (binary codes)
  int32_t d;       // third operand register (CG_WHERE)
  double c;        // constant exponent (CG_POW)
  cg_kernel call;  // CG_CALL: the kernel, called with `context` first
  const void *context;
} cg_instruction;

// Runs `count` instructions over `length` lanes of each register; register r
// is the `length` doubles at registers[r] (inputs and outputs point straight
// into the caller's columns, so nothing is copied).
void cg_run(const cg_instruction *code, long count, double *const *registers, long length);

// cg_run over float registers (kernels_f32.c), for tensor plans of f32 values: the same codes,
// each result rounded to float (a CG_CALL kernel gets its operands widened to double).
void cg_run_f32(const cg_instruction *code, long count, float *const *registers, long length);

// The name of the core whose kernels OpenBLAS runs ("SkylakeX", "Haswell", ...),
// or NULL without OpenBLAS.  blas_kernels.c corrects OpenBLAS's choice on CPUs
// it takes for a Prescott, when CompGraph is loaded.
const char *cg_blas_core(void);

// One step of a program vectorised across a graph (for one point): `count`
// independent nodes of one kind.  Elementwise codes compute
//   values[out + k] = f(values[index[a + k]], values[index[b + k]], values[index[d + k]]),
// k < count (unary codes read a only, binary ones a and b);
// CG_SUM and CG_PRODUCT reduce `arity` inputs per node:
//   values[out + k] = Σ_j (or Π_j) values[index[a + k·arity + j]]
// (in order; a sum of CG_SPLIT_SUM inputs or more as four running sums).
typedef struct {
  int32_t code;   // a cg_code
  int32_t count;
  int32_t out;
  int32_t a;      // offset into the index array
  int32_t b;      // offset into the index array (binary codes)
  int32_t d;      // offset into the index array (CG_WHERE)
  int32_t arity;  // inputs per node (CG_SUM, CG_PRODUCT)
  double c;       // constant exponent (CG_POW)
  int32_t a_run;  // ≥ 0 when index[a + k] == a_run + k for every k: read values directly
  int32_t b_run;  // the same for b
  int32_t d_run;  // the same for d
  cg_kernel call; // CG_CALL: the kernel (`arity` operands: a, b, d), called with `context` first
  const void *context;
} cg_group;

void cg_run_groups(const cg_group *groups, long count, const int32_t *index, double *values);

// The branch-free exp, tanh and log of the vectorised kernels, for tests.
double cg_exp(double x);
double cg_tanh(double x);
double cg_log(double x);
// The float exp, tanh and log of cg_run_f32 (cg_math_f32.h), for tests.
float cg_expf(float x);
float cg_tanhf(float x);
float cg_logf(float x);

// The C source of those functions (exp_inline, tanh_inline, log_inline and
// their helpers, static inline), which emitted C code includes.
const char *cg_math_source(void);
// The C source of the f32 kernels' functions (cg_math_f32.h: expf_inline, ...),
// which emitted C code includes for f32 nodes.
const char *cg_math_f32_source(void);

// The counter-based generator behind CompGraph's `randomUniform` (Graph/Expr+Random.swift):
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
// generator of Random123, cuRAND and PyTorch's CUDA backend. Each value is a pure function of
// (key, counter, index), so it is the same on every run, thread and backend.

// One Philox4x32-10 block: ten rounds on the counter `ctr` under the key `key`, in place.
void cg_philox4x32_10(uint32_t ctr[4], const uint32_t key[2]);

// The uniform number in [0, 1) at element `index` of the stream (`key`, `counter`): the block
// with counter words (index low, index high, counter low, counter high) under the key's two
// words; its first two words, as a 64-bit integer, give the top 53 bits of the fraction.
// Each input must be an integer in [0, 2^53); any other value gives NaN.
double cg_random_uniform(double key, double counter, double index);

// out[i] = cg_random_uniform(key[i], counter[i], index[i]) for i < n.
void cg_random_uniform_batch(
  const double *key, const double *counter, const double *index, double *out, size_t n);

// The f32 stream: the same block's top 24 bits, floor(2^24 u) / 2^24 for the f64 stream's u,
// a float in [0, 1). Each input must be an integer in [0, 2^24), which f32 holds exactly (a
// larger one was rounded on its way into an f32 graph); any other value gives NaN.
double cg_random_uniform_f32(double key, double counter, double index);

// out[i] = cg_random_uniform_f32(key[i], counter[i], index[i]) for i < n.
void cg_random_uniform_f32_batch(
  const double *key, const double *counter, const double *index, double *out, size_t n);

#endif
