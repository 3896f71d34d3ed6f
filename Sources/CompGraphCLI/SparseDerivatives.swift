import CompGraph

/// `eval --jacobian --sparse` and `--hessian --sparse`: the nonzeros as triplets, with the
/// pattern's shape, the variables' elements the indices count, and the colouring.
struct SparseReport {
  let name: String
  let rowLabels: [String]
  let columnLabels: [String]
  let derivative: SparseDerivative
  let values: [Double]

  /// `∂²f/∂x1∂x2 = v` per nonzero, after a line giving the shape, the nonzeros and the colours.
  func lines(symbol: (String, String) -> String) -> [String] {
    let p = derivative.pattern
    let header =
      "\(name): \(p.rowCount)×\(p.columnCount), \(p.nonzeroCount) nonzeros, "
      + "\(derivative.coloring.count) colours (largest row \(p.maxRowCount))"
    return [header]
      + zip(zip(p.rows, p.columns), values).map { entry, value in
        "\(symbol(rowLabels[entry.0], columnLabels[entry.1])) = \(formatNumber(value))"
      }
  }

  /// `{"rows": […], "cols": […], "values": […], "shape": [m, n], "variables": […], …}`.
  var json: String {
    let p = derivative.pattern
    func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
    var members: [(key: String, value: String)] = [
      ("rows", list(p.rows.map(String.init))), ("cols", list(p.columns.map(String.init))),
      ("values", list(values.map { JSONText.number($0) })),
      ("shape", list([String(p.rowCount), String(p.columnCount)])),
      ("variables", list(columnLabels.map(JSONText.string))),
    ]
    if rowLabels != columnLabels {
      members.append(("outputs", list(rowLabels.map(JSONText.string))))
    }
    members.append(("colors", String(derivative.coloring.count)))
    return JSONText.object(members)
  }
}

extension EvalCommand {
  /// The sparse Hessian of `f` (the simplified, stabilized output) and the sparse Jacobian of
  /// every output, as asked, at `point`.
  func sparseDerivatives(
    of f: Graph, outputs: Graph, variables: [(name: String, shape: Shape)],
    at point: [String: Tensor]
  ) throws -> (hessian: SparseReport?, jacobian: SparseReport?) {
    let names = variables.map(\.name)
    let labels = variables.flatMap { elementLabels($0.name, shape: $0.shape) }
    var hessianReport: SparseReport?, jacobianReport: SparseReport?
    if hessian {
      let h = try f.sparseHessian(wrt: names)
      hessianReport = SparseReport(
        name: "hessian", rowLabels: labels, columnLabels: labels, derivative: h,
        values: try h.values(at: point))
    }
    if jacobian {
      let j = try outputs.sparseJacobian(wrt: names)
      let rows = zip(outputs.outputNames, outputs.outputs).flatMap {
        elementLabels($0, shape: outputs.shape($1))
      }
      jacobianReport = SparseReport(
        name: "jacobian", rowLabels: rows, columnLabels: labels, derivative: j,
        values: try j.values(at: point))
    }
    return (hessianReport, jacobianReport)
  }
}
