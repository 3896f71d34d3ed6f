import Foundation
import Testing

@testable import CompGraph

/// Higher derivatives with respect to tensor variables against JAX at float64: random tensor
/// graphs over every tensor op, differentiated by `Graph.derivatives` (the tower every command
/// builds) to order 2 and 3 with respect to a matrix W and a vector b, compared with
/// `jax.hessian`, `jax.jacfwd(jax.jacrev(…))` and third-order `jax.jacfwd` nests, each partial
/// with `jax.jacobian`'s shape (the output's, then each variable's).
@Suite struct TensorDerivativeJAXTests {
  static let tower = JAXTower(variables: [("W", [2, 3]), ("b", [3])])

  @Test(.enabled(if: PythonPeer.shouldRun))
  func randomTensorGraphsMatchJAX() throws {
    var rng = SplitMix64(seed: 26)
    var generator = Generator()
    // 18 graphs at order 2 (a third of them with a vector output: the Jacobian of the
    // Jacobian), 6 at order 3; each with a term in both W and b, so that every partial exists.
    // (JAX compiles each primitive at each shape once, which takes most of the time.)
    let cases = (0..<24).map { n -> JAXTower.Case in
      let order = n < 18 ? 2 : 3
      let shape: Shape = n % 3 == 2 ? (n % 2 == 0 ? [3] : [2]) : []
      var (text, jax) = generator.expression(shape, depth: 3, &rng)
      text += " + 0.1*sum(sin(W))*sum(b*b)"
      jax += " + 0.1*jnp.sum(jnp.sin(W))*jnp.sum(b*b)"
      let point = Dictionary(
        uniqueKeysWithValues: Self.tower.variables.map { v in
          (
            v.name,
            Tensor(
              shape: v.shape,
              scalars: (0..<v.shape.elementCount).map { _ in
                Double.random(in: -0.9...0.9, using: &rng)
              })
          )
        })
      return JAXTower.Case(text: text, jax: jax, order: order, point: point)
    }
    let clock = ContinuousClock.now
    let theirs = try Self.tower.jax(cases)
    print("TensorDerivativeJAXTests: JAX took \(ContinuousClock.now - clock)")
    #expect(Set(generator.used) == Generator.allOps, "ops the graphs never used")
    try Self.tower.expectAgreement(cases, theirs)
  }
}

/// Random expressions of a given shape over W (2×3) and b (3), each op spelled twice: in
/// CompGraph's language and in jax.numpy.  Arguments of ops with a restricted domain are mapped
/// into it (ln of 1.5 + sin u, asin of tanh(u)/2, …), so every point is smooth.
struct Generator {
  /// The tensor ops and elementwise ops the graphs are asked to use (by CompGraph name).
  static let allOps: Set<String> = [
    "exp", "ln", "sqrt", "sin", "cos", "tanh", "abs", "tan", "atan", "asin", "acos", "sinh",
    "cosh", "erf", "log1p", "expm1", "cbrt", "add", "mul", "pow", "power", "max", "min", "where",
    "einsum", "sum_to", "broadcast_to", "reshape", "amax", "slice", "pad", "one_hot",
    "logsumexp", "softmax",
  ]
  private(set) var used: [String] = []

  typealias Pair = (cg: String, jax: String)

  /// How often each shape's rules were picked: a random one of the least used is next, so
  /// every rule is used once the shape has been asked for often enough.
  private var picks: [Shape: [Int]] = [:]
  private var unaryCount = 0

  mutating func expression(_ shape: Shape, depth: Int, _ rng: inout SplitMix64) -> Pair {
    if depth == 0 { return leaf(shape, &rng) }
    let choices = rules(for: shape)
    var counts = picks[shape] ?? Array(repeating: 0, count: choices.count)
    let fewest = counts.min()!
    let candidates = counts.indices.filter { counts[$0] == fewest }
    let k = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
    counts[k] += 1
    picks[shape] = counts
    return choices[k](&self, depth - 1, &rng)
  }

  private func leaf(_ shape: Shape, _ rng: inout SplitMix64) -> Pair {
    switch shape {
    case [2, 3]: return ("W", "W")
    case [3]: return ("b", "b")
    case [2]: return ("slice(b, 0, 1, 3)", "b[1:3]")
    case [3, 2]: return ("transpose(W)", "jnp.transpose(W)")
    default:
      let c = Double(Int.random(in: 2...9)) / 10
      return ("sum(b)*\(c)", "jnp.sum(b)*\(c)")
    }
  }

  typealias Rule = (inout Generator, Int, inout SplitMix64) -> Pair

  /// Where an elementwise function's argument is mapped: anywhere, into (0.5, 2.5), or (−½, ½).
  enum Domain {
    case any, positive, unit

    func wrap(_ a: String, jax: Bool) -> String {
      let p = jax ? "jnp." : ""
      switch self {
      case .any: return a
      case .positive: return "(1.5 + \(p)sin(\(a)))"
      case .unit: return "(\(p)tanh(\(a))/2)"
      }
    }
  }

  /// Elementwise functions: name, jax spelling and the domain of the argument.
  static let unary: [(String, String, Domain)] = [
    ("exp", "jnp.exp", .any), ("ln", "jnp.log", .positive), ("sqrt", "jnp.sqrt", .positive),
    ("sin", "jnp.sin", .any), ("cos", "jnp.cos", .any), ("tanh", "jnp.tanh", .any),
    ("abs", "jnp.abs", .any), ("tan", "jnp.tan", .unit), ("atan", "jnp.arctan", .any),
    ("asin", "jnp.arcsin", .unit), ("acos", "jnp.arccos", .unit), ("sinh", "jnp.sinh", .any),
    ("cosh", "jnp.cosh", .any), ("erf", "jsp.erf", .any), ("log1p", "jnp.log1p", .positive),
    ("expm1", "jnp.expm1", .any), ("cbrt", "jnp.cbrt", .positive),
  ]

  private func rules(for shape: Shape) -> [Rule] {
    func sub(_ s: Shape) -> (inout Generator, Int, inout SplitMix64) -> Pair {
      { g, d, r in g.expression(s, depth: d, &r) }
    }
    let same = sub(shape)
    var rules: [Rule] = [
      { g, d, r in
        // Two in turn, composed, so that each is used.
        var (a, aj) = same(&g, d, &r)
        for _ in 0..<2 {
          let (name, jax, domain) = Self.unary[g.unaryCount % Self.unary.count]
          g.unaryCount += 1
          g.used.append(name)
          (a, aj) = (
            "\(name)(\(domain.wrap(a, jax: false)))", "\(jax)(\(domain.wrap(aj, jax: true)))"
          )
        }
        return (a, aj)
      },
      { g, d, r in
        let (a, aj) = same(&g, d, &r)
        let (b, bj) = g.expression(g.broadcastable(shape, &r), depth: d, &r)
        g.used.append("add")
        return ("(\(a) + \(b))", "(\(aj) + \(bj))")
      },
      { g, d, r in
        let (a, aj) = same(&g, d, &r)
        let (b, bj) = g.expression(g.broadcastable(shape, &r), depth: d, &r)
        g.used.append("mul")
        return ("(\(a) * \(b))", "(\(aj) * \(bj))")
      },
      { g, d, r in
        let (a, aj) = same(&g, d, &r)
        g.used.append("pow")
        return ("(1.5 + sin(\(a)))^2.5", "(1.5 + jnp.sin(\(aj)))**2.5")
      },
      { g, d, r in
        let (a, aj) = same(&g, d, &r)
        let (b, bj) = g.expression(g.broadcastable(shape, &r), depth: max(0, d - 1), &r)
        g.used.append("power")
        return ("(1.5 + sin(\(a)))^tanh(\(b))", "(1.5 + jnp.sin(\(aj)))**jnp.tanh(\(bj))")
      },
      { g, d, r in
        let (a, aj) = same(&g, d, &r)
        let (b, bj) = g.expression(g.broadcastable(shape, &r), depth: d, &r)
        let useMax = Bool.random(using: &r)
        g.used.append(useMax ? "max" : "min")
        let name = useMax ? "max" : "min", jax = useMax ? "jnp.maximum" : "jnp.minimum"
        return ("\(name)(\(a), \(b))", "\(jax)(\(aj), \(bj))")
      },
      { g, d, r in
        let (a, aj) = same(&g, d, &r)
        let (b, bj) = g.expression(shape, depth: d, &r)
        g.used.append("where")
        return (
          "where(\(a) < \(b), \(a)*\(b), exp(\(b)))",
          "jnp.where(\(aj) < \(bj), \(aj)*\(bj), jnp.exp(\(bj)))"
        )
      },
    ]
    switch shape {
    case []:
      rules += [
        { g, d, r in
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("sum_to")
          return ("sum(\(a))", "jnp.sum(\(aj))")
        },
        { g, d, r in
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("amax")
          return ("amax(\(a), 0)", "jnp.max(\(aj), axis=0)")
        },
        { g, d, r in
          let (a, aj) = g.expression([2, 3], depth: d, &r)
          let (b, bj) = g.expression([2, 3], depth: d, &r)
          g.used.append("einsum")
          return ("einsum(\"ij,ij->\", \(a), \(b))", "jnp.einsum(\"ij,ij->\", \(aj), \(bj))")
        },
        { g, d, r in
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("logsumexp")
          return ("logsumexp(\(a))", "logsumexp(\(aj))")
        },
      ]
    case [3]:
      rules += [
        { g, d, r in
          let (a, aj) = g.expression([2, 3], depth: d, &r)
          g.used.append("sum_to")
          return ("sum_to(\(a), 3)", "jnp.sum(\(aj), axis=0)")
        },
        { g, d, r in
          let (a, aj) = g.expression([2, 3], depth: d, &r)
          g.used.append("amax")
          return ("amax(\(a), 0)", "jnp.max(\(aj), axis=0)")
        },
        { g, d, r in
          let (a, aj) = g.expression([2], depth: d, &r)
          g.used.append("pad")
          return ("pad(\(a), 0, 1, 0)", "jnp.pad(\(aj), (1, 0))")
        },
        { g, d, r in
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("softmax")
          return ("softmax(\(a))", "softmax(\(aj))")
        },
        { g, d, r in
          let (a, aj) = g.expression([2], depth: d, &r)
          let (m, mj) = g.expression([2, 3], depth: d, &r)
          g.used.append("einsum")
          return ("matmul(\(a), \(m))", "jnp.matmul(\(aj), \(mj))")
        },
      ]
    case [2]:
      rules += [
        { g, d, r in
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("slice")
          return ("slice(\(a), 0, 0, 2)", "\(aj)[0:2]")
        },
        { g, d, r in
          let (m, mj) = g.expression([2, 3], depth: d, &r)
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("einsum")
          return ("matmul(\(m), \(a))", "jnp.matmul(\(mj), \(aj))")
        },
        { g, d, r in
          let (m, mj) = g.expression([2, 3], depth: d, &r)
          g.used.append("amax")
          return ("amax(\(m), 1)", "jnp.max(\(mj), axis=1)")
        },
      ]
    case [2, 3]:
      rules += [
        { g, d, r in
          let (a, aj) = g.expression([3], depth: d, &r)
          g.used.append("broadcast_to")
          return ("broadcast_to(\(a), 2x3)", "jnp.broadcast_to(\(aj), (2, 3))")
        },
        { g, d, r in
          let (a, aj) = g.expression([3, 2], depth: d, &r)
          g.used.append("reshape")
          return ("reshape(\(a), 2x3)", "jnp.reshape(\(aj), (2, 3))")
        },
        { g, d, r in
          let (a, aj) = g.expression([2], depth: d, &r)
          let (b, bj) = g.expression([3], depth: d, &r)
          g.used.append("einsum")
          return ("einsum(\"i,j->ij\", \(a), \(b))", "jnp.einsum(\"i,j->ij\", \(aj), \(bj))")
        },
        { g, d, r in
          let (a, aj) = g.expression([2], depth: d, &r)
          let (m, mj) = g.expression([2, 3], depth: d, &r)
          g.used.append("one_hot")
          return ("(one_hot(\(a), 3) + \(m))", "(one_hot(\(aj), 3) + \(mj))")
        },
      ]
    default:
      break
    }
    return rules
  }

  /// The shape itself, or a shape that broadcasts to it.
  private func broadcastable(_ shape: Shape, _ rng: inout SplitMix64) -> Shape {
    let options: [Shape] =
      shape == [2, 3] ? [[2, 3], [3], []] : shape.isEmpty ? [[]] : [shape, []]
    return options[Int.random(in: 0..<options.count, using: &rng)]
  }
}
