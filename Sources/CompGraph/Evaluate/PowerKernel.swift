import CKernels

/// The kernel that computes xᶜ for a constant exponent c, and the constant it
/// needs: x², x³, 1/x, √x and 1/√x have their own codes, other integer powers
/// up to |c| = 127 use binary powering (vectorisable, exact for small
/// integers), anything else calls `pow`.
func powerKernel(_ c: Double) -> (code: cg_code, c: Double) {
  switch c {
  case 1: (CG_COPY, 0)
  case 2: (CG_SQUARE, 0)
  case 3: (CG_CUBE, 0)
  case -1: (CG_RECIP, 0)
  case 0.5: (CG_SQRT, 0)
  case -0.5: (CG_RSQRT, 0)
  case -127...127 where c == c.rounded(): (CG_POWI, c)
  default: (CG_POW, c)
  }
}
