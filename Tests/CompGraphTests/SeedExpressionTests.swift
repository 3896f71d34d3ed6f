import Testing

@testable import CompGraph

/// W5 in BENCHMARKS.md: f(p,q) = √(p + p + q)/3 + ln(p·(p·q)) + 3 at (2, 3).
@Suite struct SeedExpressionTests {
  let g = GraphBuilder()
  var p: Expr { try! g.variable("p") }
  var q: Expr { try! g.variable("q") }
  var f: Expr { sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3 }
  let at: [String: Double] = ["p": 2, "q": 3]

  func close(_ a: Double, _ b: Double, _ tol: Double = 1e-13) -> Bool {
    abs(a - b) <= tol * max(1, abs(b))
  }

  @Test func value() throws {
    #expect(close(try f.evaluate(at), 6.3668237534761971))
  }

  @Test func gradient() throws {
    let grads = try CompGraph.gradient(of: f, wrt: [p, q])
    #expect(close(try grads[0].evaluate(at), 1.1259881576697424))
    #expect(close(try grads[1].evaluate(at), 0.39632741216820455))
  }

  @Test func secondAndThirdDerivatives() throws {
    let fp = try CompGraph.gradient(of: f, wrt: p)
    let h = try CompGraph.gradient(of: fp, wrt: [p, q])
    let fqq = try CompGraph.gradient(of: CompGraph.gradient(of: f, wrt: q), wrt: q)
    #expect(close(try h[0].evaluate(at), -0.51799830823853465))
    #expect(close(try h[1].evaluate(at), -0.0089991541192673153))
    #expect(close(try fqq.evaluate(at), -0.11561068817074477))
    let fppp = try CompGraph.gradient(of: h[0], wrt: p)
    #expect(close(try fppp.evaluate(at), 0.50771356067365769))
  }
}
