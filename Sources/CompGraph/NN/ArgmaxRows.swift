/// The index of the largest element in each row of a [B, V] tensor.
public func argmaxRows(_ t: Tensor) -> [Int] {
  let columns = t.shape.last ?? 1
  return stride(from: 0, to: t.scalars.count, by: columns).map { start in
    var best = start
    for i in start..<start + columns where t.scalars[i] > t.scalars[best] { best = i }
    return best - start
  }
}
