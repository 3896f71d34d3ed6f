import Foundation

/// How a parameter starts.
public enum Initializer: Sendable, Equatable {
  case zeros
  /// Every element 1 (a LayerNorm's scale).
  case ones
  /// Standard normal samples times `scale` (`randn · 0.01`).
  case normal(scale: Double)
  /// Uniform in [−bound, bound].
  case uniform(bound: Double)
}

/// A parameter a module owns: its name inside the module, its shape and its
/// initializer.  Its full path (`rnn.cell.W`) is the module path plus the name.
public struct ParameterSpec: Sendable, Equatable {
  public let name: String
  public let shape: Shape
  public let initializer: Initializer

  public init(_ name: String, _ shape: Shape, _ initializer: Initializer) {
    self.name = name
    self.shape = shape
    self.initializer = initializer
  }
}

/// A neural-network module: named parameters and nested submodules.
///
/// A module is a description, not a store: calling it builds graph nodes in
/// the module's scope, each parameter a variable named by its path
/// (`rnn.cell.W`), and the values live in a `[String: Tensor]` keyed by the
/// same paths (what `Graph.evaluate`, the optimizers and `Safetensors` read).
/// Calls nest like the modules do — a parent calls its submodules inside
/// its own `scoped` — so the graph's scopes and the paths in `parameters`
/// agree, and the DOT encoder draws each call as a nested cluster.
public protocol Module {
  /// The module's name inside its parent (its scope and path component).
  var name: String { get }
  /// The parameters this module owns directly, in a fixed order.
  var ownParameters: [ParameterSpec] { get }
  /// The modules inside this one, in a fixed order.
  var submodules: [any Module] { get }
}

/// A module that maps one tensor to another (what `Sequential` chains).
public protocol Layer: Module {
  func callAsFunction(_ x: Expr) -> Expr
}

extension Module {
  /// Every parameter's path and shape: this module's own first, then each
  /// submodule's (depth first, in order), so the order is stable.
  public var parameters: [(path: String, shape: Shape)] {
    var result: [(path: String, shape: Shape)] = []
    var stack: [(prefix: String, module: any Module)] = [("", self)]
    while let (prefix, module) = stack.popLast() {
      let path = prefix + module.name
      for p in module.ownParameters { result.append((path + "." + p.name, p.shape)) }
      for child in module.submodules.reversed() { stack.append((path + ".", child)) }
    }
    return result
  }

  /// Initial values for every parameter, keyed by path, drawn in
  /// `parameters` order from a generator seeded with `seed`.
  public func initialParameters(seed: UInt64) -> [String: Tensor] {
    var rng = SplitMix64(seed: seed)
    var values: [String: Tensor] = [:]
    var stack: [(prefix: String, module: any Module)] = [("", self)]
    while let (prefix, module) = stack.popLast() {
      let path = prefix + module.name
      for p in module.ownParameters {
        values[path + "." + p.name] = p.initializer.sample(p.shape, using: &rng)
      }
      for child in module.submodules.reversed() { stack.append((path + ".", child)) }
    }
    return values
  }

  /// Runs `body` inside this module's scope (a call of the module).
  public func scoped<T>(_ builder: GraphBuilder, _ body: () throws -> T) rethrows -> T {
    try builder.withScope(name, body)
  }

  /// The parameter `name` of this module as a variable named by its path.
  /// Call it inside `scoped`.
  public func parameter(_ name: String, in builder: GraphBuilder) -> Expr {
    guard let spec = ownParameters.first(where: { $0.name == name }) else {
      return Expr(
        builder, .failure(.unsupported("module '\(self.name)' has no parameter '\(name)'")))
    }
    do {
      return try builder.variable(builder.scopePath + "." + name, spec.shape)
    } catch let error as GraphError {
      return Expr(builder, .failure(error))
    } catch {
      return Expr(builder, .failure(.unsupported("\(error)")))
    }
  }
}

extension Initializer {
  func sample(_ shape: Shape, using rng: inout SplitMix64) -> Tensor {
    var values = [Double](repeating: 0, count: shape.elementCount)
    switch self {
    case .zeros: break
    case .ones: values = [Double](repeating: 1, count: values.count)
    case .normal(let scale):
      for i in values.indices { values[i] = scale * rng.nextNormal() }
    case .uniform(let bound):
      for i in values.indices { values[i] = bound * (2 * rng.nextUnit() - 1) }
    }
    return Tensor(shape: shape, scalars: values)
  }
}

extension SplitMix64 {
  /// A standard normal sample (Box–Muller, one of the pair).
  public mutating func nextNormal() -> Double {
    let r = (-2 * Foundation.log(1 - nextUnit())).squareRoot()
    return r * Foundation.cos(2 * Double.pi * nextUnit())
  }
}
