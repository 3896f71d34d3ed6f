import Foundation

/// An optimizer as a graph transform: it maps (parameter p, gradient g,
/// state) to (new p, new state) as graph nodes, so a whole training step —
/// forward, gradient, update — is one graph (see `TrainingStep`).
///
/// State comes in two kinds: per-parameter *slots* (tensors of the
/// parameter's shape, starting at 0: Adam's m and v) and *scalars* shared
/// by all parameters (Adam's β₁ᵗ and β₂ᵗ, starting at 1).
public protocol Optimizer {
  /// The per-parameter slots, by name (`["m", "v"]`).
  var slots: [String] { get }
  /// The shared scalars and their values before the first step.
  var scalars: [(name: String, initial: Double)] { get }
  /// The shared scalars after one more step.
  func nextScalars(_ scalars: [Expr]) -> [Expr]
  /// The parameter and its slots after one step, given the gradient and the
  /// shared scalars *after* the step (`nextScalars`).
  func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  )
  /// `update` for the parameter at `path`, for optimizers that treat parameters differently
  /// (AdamW's weight decay on matrices only); by default `update` itself.
  func update(_ p: Expr, path: String, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  )
}

extension Optimizer {
  public var scalars: [(name: String, initial: Double)] { [] }
  public func nextScalars(_ scalars: [Expr]) -> [Expr] { scalars }
  public func update(_ p: Expr, path: String, gradient g: Expr, slots: [Expr], scalars: [Expr])
    -> (parameter: Expr, slots: [Expr])
  { update(p, gradient: g, slots: slots, scalars: scalars) }
}

/// One training step as one graph: inputs are the parameters, the
/// optimizer's state and the data; outputs are the loss (first) and the
/// next value of every state variable, named like the variable it replaces.
///
/// State variables: each parameter by its path, each slot as
/// `optimizer.<slot>.<path>`, each shared scalar as `optimizer.<name>`.
public struct TrainingStep: Sendable {
  /// Outputs: `loss`, then one per entry of `stateNames`.
  public let graph: Graph
  /// The variables the step updates, in output order (after the loss).
  public let stateNames: [String]
  /// Initial values of the optimizer's state (zeros and the scalars' starts).
  public let initialOptimizerState: [String: Tensor]
  /// `graph` compiled: what `run` evaluates.
  public let program: Program
  private let spare = SpareTensors()

  /// Differentiates `loss` with respect to the variables named `parameters`
  /// and appends `optimizer`'s update, in the scope `optimizer`.
  ///
  /// With `clippingGlobalNorm` c, the gradients are first scaled together so that their global
  /// norm ‖g‖ = √(Σ_p Σ g_p²) is at most c (optax's `clip_by_global_norm`):
  /// g ← g · c / max(‖g‖, c).
  public init(
    loss: Expr, parameters: [String], optimizer: some Optimizer, clippingGlobalNorm: Double? = nil
  ) throws {
    let builder = loss.builder
    let ps = try parameters.map { path -> Expr in
      guard let id = builder.existingVariable(path) else {
        throw GraphError.unsupported(
          "the training step has no parameter '\(path)': the loss does not use a variable of that name"
        )
      }
      return builder.expr(id)
    }
    var grads = try gradient(of: loss, wrt: ps)
    if let c = clippingGlobalNorm {
      guard c > 0, c.isFinite else {
        throw GraphError.unsupported(
          "the training step clips gradients to a global norm of \(c); give a positive finite norm")
      }
      builder.withScope("clip") {
        let norm = sqrt(sum(grads.map { ($0 * $0).sum() }))
        let scale = c / max(norm, norm.constant(c))
        grads = grads.map { $0 * scale }
      }
    }
    var outputs: [Expr] = [], names: [String] = [], initial: [String: Tensor] = [:]
    try builder.withScope("optimizer") {
      let scalarVars = try optimizer.scalars.map { s -> Expr in
        initial["optimizer." + s.name] = Tensor(s.initial)
        return try builder.variable("optimizer." + s.name)
      }
      let nextScalars = optimizer.nextScalars(scalarVars)
      var slotOutputs: [Expr] = [], slotNames: [String] = []
      for (path, (p, g)) in zip(parameters, zip(ps, grads)) {
        let shape = builder.shape(try p.node())
        let slots = try optimizer.slots.map { slot -> Expr in
          let name = "optimizer.\(slot).\(path)"
          initial[name] = Tensor(repeating: 0, shape: shape)
          return try builder.variable(name, shape)
        }
        let (next, nextSlots) = optimizer.update(
          p, path: path, gradient: g, slots: slots, scalars: nextScalars)
        outputs.append(next)
        names.append(path)
        slotOutputs += nextSlots
        slotNames += optimizer.slots.map { "optimizer.\($0).\(path)" }
      }
      outputs += slotOutputs + nextScalars
      names += slotNames + optimizer.scalars.map { "optimizer." + $0.name }
    }
    graph = try loss.graph(names: ["loss"] + names, with: outputs)
    stateNames = names
    initialOptimizerState = initial
    program = try Program(graph)
  }

  /// Runs one step: evaluates the compiled graph with `state` (parameters
  /// and optimizer state) and `data`, replaces the state with the step's
  /// outputs, and returns the loss before the update.
  ///
  /// The state a step replaces becomes the storage the next step writes
  /// into, so a training loop allocates no tensors after its first step.
  public func run(_ state: inout [String: Tensor], data: [String: Tensor]) throws -> Double {
    let inputs = try program.inputNames.map { name in
      guard let value = state[name] ?? data[name] else { throw GraphError.unboundVariable(name) }
      return value
    }
    var values = spare.take()
    try program.evaluate(inputs: inputs, into: &values)
    var replaced = [values[0]]
    for (name, value) in zip(stateNames, values.dropFirst()) {
      replaced.append(state.updateValue(value, forKey: name) ?? value)
    }
    let loss = values[0].scalars[0]
    values = []
    spare.keep(replaced)
    return loss
  }
}

/// The tensors one training step replaced, kept for the next step to write into.
private final class SpareTensors: @unchecked Sendable {
  private let lock = NSLock()
  private var tensors: [Tensor] = []

  func take() -> [Tensor] {
    lock.withLock {
      defer { tensors = [] }
      return tensors
    }
  }

  func keep(_ replaced: [Tensor]) { lock.withLock { tensors = replaced } }
}
