// OpenBLAS's kernel choice on CPUs it does not know.
//
// OpenBLAS built with DYNAMIC_ARCH (Debian's, among others) picks its kernels
// once, when it is loaded, from the CPU's model number.  Releases older than a
// CPU (Debian 12's 0.3.21 on Intel's Sapphire/Emerald Rapids Xeons) fall back
// to "Prescott": SSE3 kernels at about a third of the AVX-512 speed.  Right
// after OpenBLAS has loaded, and before any CompGraph code runs, this
// constructor asks OpenBLAS for the name of its core and, when it is that
// fallback on a CPU with AVX-512 (or AVX2 and FMA), runs OpenBLAS's own
// initialisation again with OPENBLAS_CORETYPE set to SKYLAKEX (or HASWELL),
// the documented variable OpenBLAS reads there, and restores the environment.
// OPENBLAS_CORETYPE set by the user is respected (nothing is done).  The
// OpenBLAS functions are weak: a BLAS without them (a build without
// DYNAMIC_ARCH, or not OpenBLAS) leaves this a no-op.
#include "ckernels.h"
#include <stdlib.h>
#include <strings.h>

extern char *openblas_get_corename(void) __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

// The OpenBLAS core type this CPU's instruction set can run at full speed,
// or NULL when Prescott's kernels are already the best it can run.
static const char *cg_capable_core(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    return "SKYLAKEX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "HASWELL";
#endif
  return NULL;
}

__attribute__((constructor)) static void cg_choose_blas_kernels(void) {
  if (!openblas_get_corename || !gotoblas_dynamic_init || !gotoblas_dynamic_quit) return;
  if (getenv("OPENBLAS_CORETYPE") != NULL) return;
  const char *core = openblas_get_corename();
  if (core == NULL || strcasecmp(core, "Prescott") != 0) return;
  const char *capable = cg_capable_core();
  if (capable == NULL) return;
  setenv("OPENBLAS_CORETYPE", capable, 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
}

const char *cg_blas_core(void) {
  return openblas_get_corename ? openblas_get_corename() : NULL;
}
