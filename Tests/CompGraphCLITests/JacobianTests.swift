import Foundation
import Testing

/// `eval --jacobian`, `--hessian` over tensor elements, and advice that works.
@Suite struct JacobianTests {
  @Test func jacobianOfAVectorOutput() throws {
    #expect(
      try compgraph("eval", "A*x", "--at", "A=[1,2]", "--at", "x=3", "--jacobian")
        == Run(
          status: 0, stdout: "f = [3, 6]\n∂f/∂A = [[3, 0], [0, 3]]\n∂f/∂x = [1, 2]\n", stderr: ""))
  }

  /// J[i][j] = ∂yᵢ/∂Wⱼₖ for y = tanh(W x), against the closed form (1 − yᵢ²)·δᵢⱼ·xₖ.
  @Test func jacobianOfSeveralOutputsAsJSON() throws {
    let run = try compgraph(
      "eval", "-f", "-", "--at", "W=[[1,2],[3,4]]", "--at", "x=[0.5,-0.25]", "--jacobian", "--json",
      input: "var W: 2x2, x: 2\nout y = tanh(matmul(W, x))\nout s = sum(W) * 2\n")
    #expect(run.status == 0)
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let jacobian = try #require(object["jacobian"] as? [String: [String: Any]])
    let dyW = try #require(jacobian["y"]?["W"] as? [[[Double]]])
    let W = [[1.0, 2], [3, 4]], x = [0.5, -0.25]
    let y = W.map { row in tanh(row[0] * x[0] + row[1] * x[1]) }
    for i in 0..<2 {
      for j in 0..<2 {
        for k in 0..<2 {
          let exact = i == j ? (1 - y[i] * y[i]) * x[k] : 0
          #expect(abs(dyW[i][j][k] - exact) <= 1e-14)
        }
      }
    }
    #expect(jacobian["s"]?["W"] as? [[Double]] == [[2, 2], [2, 2]])
    #expect(jacobian["s"]?["x"] as? [Double] == [0, 0])
  }

  /// loss = Σᵢ tanh(Σⱼ Wᵢⱼ xⱼ)², its Hessian over (W₀₀, W₀₁, W₁₀, W₁₁, x₀, x₁)
  /// against central differences of the closed-form gradient.
  @Test func hessianOverTensorElements() throws {
    let run = try compgraph(
      "eval", "-f", "-", "--at", "W=[[1,2],[3,4]]", "--at", "x=[0.1,0.2]", "--hessian", "--json",
      input: "var W: 2x2, x: 2\nlet h = tanh(matmul(W, x))\nout loss = sum(h*h)\n")
    #expect(run.status == 0)
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let hessian = try #require(object["hessian"] as? [String: [String: Double]])
    let labels = ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "x[0]", "x[1]"]
    #expect(Set(hessian.keys) == Set(labels))
    func gradient(_ p: [Double]) -> [Double] {
      let W = [[p[0], p[1]], [p[2], p[3]]], x = [p[4], p[5]]
      let h = W.map { tanh($0[0] * x[0] + $0[1] * x[1]) }
      let d = h.map { 2 * $0 * (1 - $0 * $0) }
      return [
        d[0] * x[0], d[0] * x[1], d[1] * x[0], d[1] * x[1],
        d[0] * W[0][0] + d[1] * W[1][0], d[0] * W[0][1] + d[1] * W[1][1],
      ]
    }
    let point = [1.0, 2, 3, 4, 0.1, 0.2], step = 1e-6
    for (b, column) in labels.enumerated() {
      var up = point, down = point
      up[b] += step
      down[b] -= step
      let difference = zip(gradient(up), gradient(down)).map { ($0 - $1) / (2 * step) }
      for (a, row) in labels.enumerated() {
        let value = try #require(hessian[row]?[column])
        #expect(abs(value - difference[a]) <= 1e-7, "\(row), \(column)")
      }
    }
    let text = try compgraph(
      "eval", "sum(A*A)", "--at", "A=[1,2]", "--hessian")
    #expect(
      text.stdout
        == "f = 5\n∂²f/∂A[0]² = 2\n∂²f/∂A[0]∂A[1] = 0\n∂²f/∂A[1]∂A[0] = 0\n∂²f/∂A[1]² = 2\n")
  }

  @Test func messagesRecommendOptionsThatWork() throws {
    let vector = try compgraph("eval", "A*2", "--at", "A=[1,2]", "--grad")
    #expect(vector.status == 1)
    #expect(vector.stderr.contains("use --jacobian"))
    #expect(
      try compgraph("eval", "A*2", "--at", "A=[1,2]", "--jacobian").stdout
        == "f = [2, 4]\n∂f/∂A = [[2, 0], [0, 2]]\n")

    let two = try compgraph(
      "eval", "-f", "-", "--at", "x=2", "--grad", input: "out a = x^2\nout b = 3*x\n")
    #expect(two.status == 1)
    #expect(two.stderr.contains("or use --jacobian, which takes every output"))
    #expect(
      try compgraph(
        "eval", "-f", "-", "--at", "x=2", "--jacobian", input: "out a = x^2\nout b = 3*x\n"
      )
      .stdout == "a = 4\nb = 6\n∂a/∂x = 4\n∂b/∂x = 3\n")

    // grad prints the Jacobian of a non-scalar output, as eval --jacobian evaluates it.
    #expect(
      try compgraph("grad", "A*2", "--var", "A=2", "--wrt", "A")
        == Run(status: 0, stdout: "∂f/∂A = [[2, 0], [0, 2]]\n", stderr: ""))

    // A tensor partial is differentiated again: ∂²f/∂W² is one 2x2x2x2 tensor.
    let mixed = try compgraph(
      "eval", "sum(tanh(W)^2)", "--at", "W=[[1,2],[3,4]]", "--derivative", "W,W", "--json")
    #expect(mixed.status == 0 && mixed.stdout.contains("\"W,W\": [[[["))
    #expect(
      try compgraph("eval", "sum(tanh(W)^2)", "--at", "W=[[1,2],[3,4]]", "--hessian").status == 0)
  }
}
