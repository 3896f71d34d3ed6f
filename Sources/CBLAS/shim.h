#ifndef COMPGRAPH_CBLAS_SHIM_H
#define COMPGRAPH_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian/Ubuntu: libopenblas-dev). No stable Swift API here:
// CompGraph calls cblas_dgemm from Evaluate/Einsum/EinsumOperand+GEMM.swift.
#include <cblas.h>
#endif
