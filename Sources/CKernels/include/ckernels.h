#ifndef COMPGRAPH_CKERNELS_H
#define COMPGRAPH_CKERNELS_H
// Batch kernels for CompGraph's compiled Program: the straight-line register
// code runs here so that its inner loops are vectorised for the CPU at hand
// (function multi-versioning picks AVX-512, AVX2 or baseline at load time).
// No stable Swift API: Program.swift is the only caller.

#include <stdint.h>

typedef enum {
  CG_ADD, CG_MUL, CG_NEG, CG_SQUARE, CG_CUBE, CG_RECIP, CG_SQRT, CG_POW,
  CG_EXP, CG_LN, CG_SIN, CG_COS, CG_TANH, CG_COPY
} cg_code;

typedef struct {
  int32_t code;    // a cg_code
  int32_t target;  // register written
  int32_t a;       // first operand register
  int32_t b;       // second operand register (binary codes)
  double c;        // constant exponent (CG_POW)
} cg_instruction;

// Runs `count` instructions over `length` lanes of each register; register r
// occupies registers[r * stride ..< r * stride + length].
void cg_run(const cg_instruction *code, long count, double *registers, long stride, long length);

// Runs the instructions at a single point (stride 1, length 1).
void cg_run_point(const cg_instruction *code, long count, double *registers);

// The same branch-free exp and tanh as the batch code, for tests.
double cg_exp(double x);
double cg_tanh(double x);

#endif
