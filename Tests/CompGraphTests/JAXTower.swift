import Foundation
import Testing

@testable import CompGraph

/// A function's derivative tower checked against JAX's at float64 (`Tests/Python/
/// jax_tensor_derivatives.py`): the partials `Graph.derivatives` builds, with respect to tensor
/// variables, beside `jax.jacfwd(jax.jacrev(…))` nests and `jax.hessian`, each partial in
/// `jax.jacobian`'s shape (the output's, then each variable's).
struct JAXTower {
  let variables: [(name: String, shape: Shape)]

  /// One function: its CompGraph text, its JAX spelling, the order and the point.
  struct Case {
    let text: String
    let jax: String
    let order: Int
    let point: [String: Tensor]
  }

  /// The tower's partials in its order: by order, multisets of variable indices lexicographically.
  func partials(order: Int) -> [[Int]] {
    var all: [[Int]] = []
    var level: [[Int]] = [[]]
    for _ in 1...order {
      level = level.flatMap { p in ((p.last ?? 0)..<variables.count).map { p + [$0] } }
      all += level
    }
    return all
  }

  /// JAX's partials for every case, by method, and with `values` each case's value ("value").
  func jax(_ cases: [Case], values: Bool = false) throws -> [[String: [[Double]]]] {
    let request: [String: Any] = [
      "variables": variables.map { [$0.name, $0.shape] as [Any] },
      "cases": cases.map { c -> [String: Any] in
        ["f": c.jax, "order": c.order, "point": c.point.mapValues { $0.scalars }, "value": values]
      },
    ]
    let input = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    let output = try PythonPeer.run("jax_tensor_derivatives.py", input: input)
    let decoded = try JSONSerialization.jsonObject(with: Data(output.utf8))
    return try #require(decoded as? [[String: [[Double]]]])
  }

  /// Checks each case's value (when JAX gave one) and every partial of its tower against JAX's
  /// answers, within `tolerance` relative to the largest of each partial (at least 1).
  func expectAgreement(
    _ cases: [Case], _ answers: [[String: [[Double]]]], tolerance: Double = 1e-12
  ) throws {
    try #require(answers.count == cases.count)
    let declarations = variables.map { "\($0.name): \($0.shape.shapeDescription)" }
    for (c, answer) in zip(cases, answers) {
      let program = try parseProgram(
        "var \(declarations.joined(separator: ", "))\nout f = \(c.text)", into: GraphBuilder())
      let graph = try program.graph()
      // The tower is taken in the variables the function has; JAX's partials in the others
      // must be zeros.
      let used = variables.indices.filter { i in
        graph.variables.contains { $0.name == variables[i].name }
      }
      let tower = try graph.derivatives(
        wrt: used.map { variables[$0].name }, order: c.order, simplifying: true)
      let values = try tower.graph.evaluate(c.point)
      let keys = partials(order: c.order)
      let towerKeys = JAXTower(variables: used.map { variables[$0] }).partials(order: c.order)
        .map { $0.map { used[$0] } }
      for (method, reference) in answer {
        let ours: [Tensor]
        let names: [String]
        if method == "value" {
          ours = [values[0]]
          names = ["value"]
        } else {
          let partials = Array(zip(values, tower.outputOrders).filter { $0.1 > 0 }.map(\.0))
          try #require(partials.count == towerKeys.count)
          ours = keys.map { key in
            let shape = graph.shape(graph.outputs[0]) + key.flatMap { variables[$0].shape }
            return towerKeys.firstIndex(of: key).map { partials[$0] }
              ?? Tensor(shape: shape, scalars: Array(repeating: 0, count: shape.elementCount))
          }
          names = keys.map { "partial \($0)" }
        }
        for (k, (mine, theirs)) in zip(ours, reference).enumerated() {
          if method != "value" {
            let expected = graph.shape(graph.outputs[0]) + keys[k].flatMap { variables[$0].shape }
            #expect(mine.shape == expected, "\(c.text): \(names[k]) has shape \(mine.shape)")
          }
          let scale = theirs.map(abs).max().map { max(1, $0) } ?? 1
          let errors = zip(mine.scalars, theirs).map { abs($0 - $1) }
          let worst = errors.indices.max { errors[$0] < errors[$1] }
          let error = worst.map { errors[$0] } ?? 0
          #expect(
            mine.scalars.count == theirs.count && error <= tolerance * scale,
            """
            \(c.text) = \(c.jax): \(names[k]) differs from \(method) by \(error) (scale \(scale)) \
            at flat index \(worst ?? 0): \(worst.map { mine.scalars[$0] } ?? 0) against \(worst.map { theirs[$0] } ?? 0)
            """
          )
        }
      }
    }
  }
}
