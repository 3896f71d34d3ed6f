import CBLAS
import CKernels

/// What a compiled tensor plan stores its values as: `Double` for a graph of
/// f64 values, `Float` for one of f32 values.  The plan's steps are generic
/// over it; the few kernels that differ by type are here, one conformance per
/// type (ARCHITECTURE.md "Element types": adding a type is a conformance).
protocol PlanElement: BinaryFloatingPoint, Sendable {
  /// The element type this stores.
  static var dtype: DType { get }

  /// Runs register code over `length` lanes (`cg_run`, `cg_run_f32`).
  static func run(
    _ code: UnsafePointer<cg_instruction>?, count: Int,
    registers: UnsafePointer<UnsafeMutablePointer<Self>?>?, length: Int)

  /// `C = op(A) · op(B)`, row-major (`cblas_dgemm`, `cblas_sgemm`).
  static func gemm(
    _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int,
    _ c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Double: PlanElement {
  static var dtype: DType { .f64 }

  static func run(
    _ code: UnsafePointer<cg_instruction>?, count: Int,
    registers: UnsafePointer<UnsafeMutablePointer<Double>?>?, length: Int
  ) {
    cg_run(code, count, registers, length)
  }

  static func gemm(
    _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
    _ c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b,
      Int32(ldb), 0, c, Int32(ldc))
  }
}

extension Float: PlanElement {
  static var dtype: DType { .f32 }

  static func run(
    _ code: UnsafePointer<cg_instruction>?, count: Int,
    registers: UnsafePointer<UnsafeMutablePointer<Float>?>?, length: Int
  ) {
    cg_run_f32(code, count, registers, length)
  }

  static func gemm(
    _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b,
      Int32(ldb), 0, c, Int32(ldc))
  }
}
