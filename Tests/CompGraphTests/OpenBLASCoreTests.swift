import Foundation
import Testing

@testable import CompGraph

/// OpenBLAS runs the kernels of the CPU's instruction set.  Debian 12's
/// OpenBLAS takes CPUs newer than it (this project's Xeon among them) for a
/// Prescott and runs SSE3 kernels; CompGraph switches it when it is loaded
/// (Sources/CKernels/blas_kernels.c).
@Suite struct OpenBLASCoreTests {
  /// The CPU's feature flags (Linux), empty elsewhere.
  static let flags: Set<Substring> = {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    return Set(
      info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? [])
  }()

  static let chosenByUser = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil

  @Test(.enabled(if: !chosenByUser && flags.isSuperset(of: ["avx2", "fma"])))
  func kernelsFitTheInstructionSet() throws {
    let core = try #require(openBLASCore)
    #expect(core != "Prescott")
    if Self.flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) {
      #expect(["SkylakeX", "Cooperlake", "SapphireRapids"].contains(core), "core: \(core)")
    }
    // The variable that chose them is not left in the environment.
    #expect(getenv("OPENBLAS_CORETYPE") == nil)
    // And the switched kernels compute: a 64×64 product against the reference loop.
    let a = Tensor(shape: [64, 64], scalars: (0..<4096).map { Double($0 % 17) - 8 })
    let b = Tensor(shape: [64, 64], scalars: (0..<4096).map { Double($0 % 13) / 4 })
    let spec = try EinsumSpec.parse("ij,jk->ik", shapes: [[64, 64], [64, 64]])
    #expect(Tensor.einsum(spec, [a, b]) == Tensor.einsumReference(spec, [a, b]))
  }
}
