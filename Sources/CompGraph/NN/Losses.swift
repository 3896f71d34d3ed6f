/// Softmax cross-entropy summed over a batch:
///
///     L = Σ_b ( ln Σ_v exp(z_bv) − Σ_v y_bv z_bv )
///
/// for logits z [B, V] and one-hot (or probability) targets y [B, V]; for a
/// one-hot y each term is −ln softmax(z_b)[target].  The log-sum-exp is
/// taken as written (no max shift), which is exact while the logits stay
/// below ~700 in size, as they do for the models here.
public func softmaxCrossEntropy(logits z: Expr, targets y: Expr) -> Expr {
  ln(einsum("bv->b", exp(z))).sum() - (y * z).sum()
}

/// The index of the largest element in each row of a [B, V] tensor.
public func argmaxRows(_ t: Tensor) -> [Int] {
  let columns = t.shape.last ?? 1
  return stride(from: 0, to: t.scalars.count, by: columns).map { start in
    var best = start
    for i in start..<start + columns where t.scalars[i] > t.scalars[best] { best = i }
    return best - start
  }
}
