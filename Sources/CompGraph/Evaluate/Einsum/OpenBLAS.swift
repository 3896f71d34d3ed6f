import CBLAS
import CKernels
import Foundation

/// OpenBLAS may start with one thread (it does here, whatever the core
/// count); GEMMs use every core, as NumPy's do.  Set once, on first use.
let blasThreads: Void = {
  openblas_set_num_threads(Int32(processorCount))
}()

/// The core whose kernels OpenBLAS runs ("SkylakeX", "Haswell", …), `nil`
/// when the BLAS does not say.  On a CPU that OpenBLAS does not know and takes
/// for a Prescott (SSE3 kernels), CompGraph has already switched it to the
/// kernels the CPU's instruction set runs (Sources/CKernels/blas_kernels.c);
/// `OPENBLAS_CORETYPE`, when set, chooses instead.
public var openBLASCore: String? { cg_blas_core().map { String(cString: $0) } }
