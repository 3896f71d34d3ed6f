import CompGraph
import Foundation
import Testing

/// The explorer with a tensor program, the README's model.cg (W 3×2, x 2): it draws the
/// gradient and the Hessian with respect to the matrix as the library does (∂²loss/∂W² one
/// 3×2×3×2 output, ∂²loss/∂W∂x a separate one), and its ONNX and C downloads are the library's
/// files for the same derivatives, the C one computing δ_ik x_j x_l.
@Suite(.serialized) struct ExplorerTensorTests {
  static let model = """
    var W: 3x2, x: 2
    let z = matmul(W, x)
    out loss = sum(z * z) / 2
    """

  @Test func drawsTheHessianOfAMatrix() async throws {
    let server = try ExplorerServer()
    let answer = try await server.post(
      "/api/graph", ["source": Self.model, "grad": ["W", "x"], "order": 2])
    #expect(answer.status == 200, "\(answer.text)")
    let json = try #require(answer.json)
    #expect(
      json["dot"] as? String
        == (try ExplorerHTTPTests.libraryDOT(Self.model, grad: ["W", "x"], order: 2)))
    let outputs = try #require(json["outputs"] as? [[String: Any]])
    #expect(
      outputs.map { $0["name"] as? String }
        == ["loss", "∂loss/∂W", "∂loss/∂x", "∂²loss/∂W²", "∂²loss/∂W∂x", "∂²loss/∂x²"])
    #expect(outputs.map { $0["order"] as? Int } == [0, 1, 1, 2, 2, 2])
    let variables = try #require(json["variables"] as? [[String: String]])
    #expect(variables == [["name": "W", "shape": "3x2"], ["name": "x", "shape": "2"]])
    // The listing gives each output's shape: the Hessian is 3×2×3×2.
    let listing = json["listing"] as? String ?? ""
    #expect(listing.contains("f64[3,2,3,2]") && listing.contains("f64[3,2,2]"), "\(listing)")
    #expect((json["svg"] as? String)?.contains("<svg") == true)
    #expect(server.stop() == 0)
  }

  @Test func downloadsTheHessianOfAMatrix() async throws {
    let server = try ExplorerServer()
    let drawing = try ExplorerHTTPTests.libraryDrawing(
      Self.model, grad: ["W"], order: 2, stabilizing: true)
    let request: [String: Any] = ["source": Self.model, "grad": ["W"], "order": 2]
    var c = request
    c["format"] = "c"
    let file = try await server.post("/api/export", c)
    #expect(file.status == 200, "\(file.text)")
    #expect(file.text == (try drawing.graph.cCode(name: "f", stabilizing: false)))
    #expect(file.text.contains("out[7..42]  ∂²loss/∂W²  3x2x3x2"), "\(file.text)")
    var onnx = request
    onnx["format"] = "onnx"
    let model = try await server.post("/api/export", onnx)
    #expect(model.status == 200, "\(model.text)")
    #expect([UInt8](model.body) == (try drawing.graph.onnxModel(stabilizing: false)))
    #expect(server.stop() == 0)
  }
}
