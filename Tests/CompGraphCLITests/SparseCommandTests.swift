import Foundation
import Testing

/// `compgraph eval --hessian --sparse` and `--jacobian --sparse`: the nonzeros as triplets.
@Suite struct SparseCommandTests {
  /// Rosenbrock plus a coupling: the Hessian's nonzeros (both triangles) in CSC order over the
  /// variables in the order `eval` takes them, as text and as JSON.
  @Test func sparseHessian() throws {
    let expression = "100*(y - x^2)^2 + (1 - x)^2 + z*y"
    let text = try compgraph(
      "eval", expression, "--at", "x=1", "--at", "y=2", "--at", "z=3", "--hessian", "--sparse")
    #expect(
      text
        == Run(
          status: 0,
          stdout: """
            f = 106
            hessian: 3×3, 6 nonzeros, 2 colours (largest row 3)
            ∂²f/∂y² = 200
            ∂²f/∂x∂y = -400
            ∂²f/∂z∂y = 1
            ∂²f/∂y∂x = -400
            ∂²f/∂x² = 402
            ∂²f/∂y∂z = 1

            """, stderr: ""))
    let json = try compgraph(
      "eval", expression, "--at", "x=1", "--at", "y=2", "--at", "z=3", "--hessian", "--sparse",
      "--json")
    #expect(
      json.stdout
        == #"{"value": 106, "hessian": {"rows": [0, 1, 2, 0, 1, 0], "cols": [0, 0, 0, 1, 1, 2], "values": [200, -400, 1, -400, 402, 1], "shape": [3, 3], "variables": ["y", "x", "z"], "colors": 2}}"#
        + "\n")
    // The same entries as the dense --hessian.
    let dense = try compgraph(
      "eval", expression, "--at", "x=1", "--at", "y=2", "--at", "z=3", "--hessian", "--json")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(dense.stdout.utf8)) as? [String: Any])
    let h = try #require(object["hessian"] as? [String: [String: Double]])
    #expect(h["x"]?["x"] == 402 && h["x"]?["y"] == -400 && h["y"]?["z"] == 1 && h["x"]?["z"] == 0)
  }

  /// A Jacobian of tensor outputs: rows are the outputs' elements, named.
  @Test func sparseJacobian() throws {
    let run = try compgraph(
      "eval", "-f", "-", "--at", "v=1,2,3", "--jacobian", "--sparse", "--json",
      input: "var v: 3\nout a = v * v\nout b = sum(v)\n")
    #expect(
      run.stdout
        == #"{"value": {"a": [1, 4, 9], "b": 6}, "jacobian": {"rows": [0, 3, 1, 3, 2, 3], "cols": [0, 0, 1, 1, 2, 2], "values": [2, 1, 4, 1, 6, 1], "shape": [4, 3], "variables": ["v[0]", "v[1]", "v[2]"], "outputs": ["a[0]", "a[1]", "a[2]", "b"], "colors": 3}}"#
        + "\n")
  }

  @Test func sparseNeedsADerivative() throws {
    let run = try compgraph("eval", "x", "--at", "x=1", "--sparse")
    #expect(run.status == 2 && run.stderr.contains("--sparse goes with --hessian or --jacobian"))
  }
}
