#ifndef COMPGRAPH_CBLAS_SHIM_H
#define COMPGRAPH_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian/Ubuntu: libopenblas-dev). No stable Swift API here:
// CompGraph calls cblas_dgemm from Evaluate/Einsum/EinsumOperand+GEMM.swift and cblas_dtrsm
// from Evaluate/MatrixKernels.swift.
#include <cblas.h>

// LAPACK, which libopenblas also exports (Debian ships no lapack.h for it): Fortran's
// convention, every argument by address, matrices column-major.  Evaluate/MatrixKernels.swift
// calls them on row-major buffers, read as the transposed matrix.
void dgetrf_(const blasint *m, const blasint *n, double *a, const blasint *lda, blasint *ipiv,
             blasint *info);
void dgetrs_(const char *trans, const blasint *n, const blasint *nrhs, const double *a,
             const blasint *lda, const blasint *ipiv, double *b, const blasint *ldb,
             blasint *info);
void dpotrf_(const char *uplo, const blasint *n, double *a, const blasint *lda, blasint *info);
#endif
