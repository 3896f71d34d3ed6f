import CBLAS
import CKernels
import Foundation

/// Sets OpenBLAS's thread count for products of `work` multiply–adds
/// (batches included): every core from 2²³ on (a 203³ matmul, W4's bmm, W7's
/// layers), else one.  OpenBLAS would split products of a quarter million
/// on, and its threads spin between calls: a training step's many small
/// products (W6's 152×100·100×65) then wait on a busy core.
func useBLASThreads(forWork work: Double) {
  let wanted = work >= 0x1p23 ? processorCount : 1
  if openblas_get_num_threads() != wanted { openblas_set_num_threads(Int32(wanted)) }
}

/// The core whose kernels OpenBLAS runs ("SkylakeX", "Haswell", …), `nil`
/// when the BLAS does not say.  On a CPU that OpenBLAS does not know and takes
/// for a Prescott (SSE3 kernels), CompGraph has already switched it to the
/// kernels the CPU's instruction set runs (Sources/CKernels/blas_kernels.c);
/// `OPENBLAS_CORETYPE`, when set, chooses instead.
public var openBLASCore: String? { cg_blas_core().map { String(cString: $0) } }
