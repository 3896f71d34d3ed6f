import Foundation
import Testing

@testable import CompGraph

/// The backend test data that ships inside the `onnx` wheel (`onnx/backend/test/data/`), run
/// through the importer: every model of `simple`, `pytorch-operator`, `pytorch-converted` and
/// `light` imported and evaluated on its `test_data_set_*/input_*.pb`, its outputs compared with
/// `output_*.pb` at onnx's own backend tolerances (|ours − theirs| ≤ 1e-7 + 1e-3·|theirs|). The
/// `light` models carry no inputs: their input is what onnx's runner feeds them
/// (`arange(n).reshape(shape) / n` in float32) and their reference output sits beside the model.
///
/// Each folder prints a table of passed, failed and refused, every refusal with its op. A model
/// passes unless it is listed in `expectedRefusals` with the op that refuses it; a listed model
/// that imports, or a refusal by another op, fails the test too, so the list stays true.
@Suite(.serialized) struct ONNXBackendDataTests {
  /// Models the importer refuses, by folder and model, with the op that refuses each: strings
  /// and sequences (no tensor maths), ONNX's training-only `Gradient` op, and the ops listed in
  /// the README's table.
  static let expectedRefusals: [String: [String: String]] = [
    "simple": [
      "test_gradient_of_add": "Gradient",
      "test_gradient_of_add_and_mul": "Gradient",
      "test_sequence_model1": "SequenceEmpty",
      "test_sequence_model2": "SequenceConstruct",
      "test_sequence_model3": "SequenceConstruct",
      "test_sequence_model4": "SequenceConstruct",
      "test_sequence_model5": "SequenceConstruct",
      "test_sequence_model6": "SplitToSequence",
      "test_sequence_model7": "SplitToSequence",
      "test_sequence_model8": "SplitToSequence",
      "test_strnorm_model_monday_casesensintive_lower": "StringNormalizer",
      "test_strnorm_model_monday_casesensintive_nochangecase": "StringNormalizer",
      "test_strnorm_model_monday_casesensintive_upper": "StringNormalizer",
      "test_strnorm_model_monday_empty_output": "StringNormalizer",
      "test_strnorm_model_monday_insensintive_upper_twodim": "StringNormalizer",
      "test_strnorm_model_nostopwords_nochangecase": "StringNormalizer",
    ],
    "pytorch-operator": [:],
    "pytorch-converted": [:],
    "light": [:],
  ]

  /// Ops whose refusal any model may give: convolution and pooling, which the importer maps
  /// onto the library's convolution primitives once they exist.
  static let pendingOps: Set<String> = ["Conv", "ConvTranspose", "MaxPool", "AveragePool"]

  /// Integer inputs that give an op its shape, by model: CompGraph's shapes are static, so the
  /// test data's value is fixed when the model is imported (`constantInputs`), as JAX fixes a
  /// static argument.
  static let staticInputs: [String: Set<String>] = [
    "test_expand_shape_model1": ["shape"], "test_expand_shape_model2": ["shape"],
    "test_expand_shape_model3": ["shape"], "test_expand_shape_model4": ["shape"],
  ]

  /// onnx's backend runner's tolerances (`onnx/backend/test/runner`).
  static let rtol = 1e-3, atol = 1e-7

  /// `onnx/backend/test/data` of the venv's onnx package.
  static var dataDirectory: URL? {
    let lib = PythonPeer.packageRoot.appendingPathComponent(".build/venv/lib")
    guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else {
      return nil
    }
    for version in versions.sorted() where version.hasPrefix("python") {
      let data = lib.appendingPathComponent("\(version)/site-packages/onnx/backend/test/data")
      if FileManager.default.fileExists(atPath: data.path) { return data }
    }
    return nil
  }

  enum Outcome {
    case passed
    case failed(String)
    case refused(op: String, message: String)
  }

  /// One model's inputs and expected outputs (a data set).
  struct DataSet {
    var inputs: [Tensor]
    var outputs: [Tensor]
  }

  static func readTensor(_ url: URL) throws -> Tensor {
    try ONNXTensorFile.read(Data(contentsOf: url), pathExtension: "pb")
  }

  /// The models of `folder`, with their data sets.
  static func models(in folder: String) throws -> [(
    name: String, model: URL, sets: () throws -> [DataSet]
  )] {
    guard let root = dataDirectory?.appendingPathComponent(folder) else {
      throw PythonPeer.Failure.missing(PythonPeer.python.path)
    }
    let fm = FileManager.default
    let entries = try fm.contentsOfDirectory(atPath: root.path).sorted()
    if folder == "light" {
      return entries.filter { $0.hasSuffix(".onnx") }.map { file in
        let name = String(file.dropLast(5))
        let model = root.appendingPathComponent(file)
        return (
          name, model,
          {
            let expected = try readTensor(root.appendingPathComponent("\(name)_output_0.pb"))
            let graph = try #require(try ONNXProto.Model([UInt8](Data(contentsOf: model))).graph)
            let initializers = Set(graph.initializers.map(\.name))
            let inputs = graph.inputs.filter { !initializers.contains($0.name) }.map { input in
              let shape = (input.shape ?? []).map { $0 ?? 1 }
              let count = shape.elementCount
              return Tensor(
                shape: shape, scalars: (0..<count).map { Double($0) / Double(count) }, dtype: .f32)
            }
            return [DataSet(inputs: inputs, outputs: [expected])]
          }
        )
      }
    }
    return entries.map { name in
      let directory = root.appendingPathComponent(name)
      return (
        name, directory.appendingPathComponent("model.onnx"),
        {
          let sets = try fm.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("test_data_set_") }.sorted()
          return try sets.map { set in
            let files = try fm.contentsOfDirectory(
              atPath: directory.appendingPathComponent(set).path)
            func read(_ prefix: String) throws -> [Tensor] {
              try (0..<files.filter { $0.hasPrefix(prefix) }.count).map {
                try readTensor(directory.appendingPathComponent("\(set)/\(prefix)\($0).pb"))
              }
            }
            return DataSet(inputs: try read("input_"), outputs: try read("output_"))
          }
        }
      )
    }
  }

  /// Imports and runs one model on its data sets (imported once, or once per data set when it
  /// has `staticInputs`).
  static func run(name: String, model: URL, sets: () throws -> [DataSet]) -> Outcome {
    do {
      let data = try Data(contentsOf: model)
      let pinned = staticInputs[name] ?? []
      var imported = try pinned.isEmpty ? importONNX(data) : nil
      var compiled: (graph: Graph, program: Program?)?
      for (k, set) in try sets().enumerated() {
        if !pinned.isEmpty {
          let names = try #require(try ONNXProto.Model([UInt8](data)).graph).inputs.map(\.name)
          var constants: [String: Tensor] = [:]
          for (input, value) in zip(names, set.inputs) where pinned.contains(input) {
            constants[input] = value
          }
          imported = try importONNX(data, constantInputs: constants)
          compiled = nil
        }
        let model = try #require(imported)
        guard set.inputs.count == model.modelInputs.count else {
          return .failed(
            "data set \(k) has \(set.inputs.count) inputs for \(model.modelInputs.count)")
        }
        if compiled == nil {
          let graph = try model.graph()
          compiled = (
            graph, graph.ids.contains { !graph.shape($0).isEmpty } ? try? Program(graph) : nil
          )
        }
        var point: [String: Tensor] = [:]
        for (input, value) in zip(model.modelInputs, set.inputs) where !pinned.contains(input) {
          point[input] = value
        }
        let outputs = try compiled!.program?.evaluate(point) ?? compiled!.graph.evaluate(point)
        for (j, (ours, theirs)) in zip(outputs, set.outputs).enumerated() {
          if let problem = mismatch(ours, theirs) {
            return .failed("data set \(k) output \(j): \(problem)")
          }
        }
      }
      return .passed
    } catch let error as ONNXImportError {
      if let op = error.refusedOp { return .refused(op: op, message: error.description) }
      return .failed("import: \(error)")
    } catch {
      return .failed("\(error)")
    }
  }

  /// Why `ours` is not `theirs` within the tolerances, or `nil` when it is.
  static func mismatch(_ ours: Tensor, _ theirs: Tensor) -> String? {
    guard ours.scalars.count == theirs.scalars.count else {
      return "shape \(ours.shape) where \(theirs.shape) was expected"
    }
    for (i, (a, b)) in zip(ours.scalars, theirs.scalars).enumerated() {
      if a.isNaN && b.isNaN { continue }
      if a == b { continue }
      if !(abs(a - b) <= atol + rtol * abs(b)) {
        return "element \(i) is \(a), expected \(b)"
      }
    }
    return nil
  }

  /// Runs every model of `folder`, prints its table, and checks the outcomes against
  /// `expectedRefusals`.
  static func check(_ folder: String) throws {
    var passed = 0
    var failures: [String] = []
    var refusals: [(String, String)] = []
    var problems: [String] = []
    let expected = expectedRefusals[folder] ?? [:]
    for (name, model, sets) in try models(in: folder) {
      switch run(name: name, model: model, sets: sets) {
      case .passed:
        passed += 1
        if let op = expected[name] { problems.append("\(name) passes; remove its refusal (\(op))") }
      case .failed(let why):
        failures.append("\(name): \(why)")
        problems.append("\(name) failed: \(why)")
      case .refused(let op, let message):
        refusals.append((name, op))
        if expected[name] != op && !pendingOps.contains(op) {
          problems.append("\(name) refused: \(message)")
        }
      }
    }
    var table = "ONNX backend data, \(folder): \(passed) passed, \(failures.count) failed, "
    table += "\(refusals.count) refused\n"
    for failure in failures { table += "  failed  \(failure.prefix(300))\n" }
    for (name, op) in refusals { table += "  refused \(name): \(op)\n" }
    print(table, terminator: "")
    #expect(problems.isEmpty, Comment(rawValue: "\(folder):\n" + problems.joined(separator: "\n")))
  }

  @Test(.enabled(if: PythonPeer.shouldRun)) func simple() throws { try Self.check("simple") }

  @Test(.enabled(if: PythonPeer.shouldRun)) func pytorchOperator() throws {
    try Self.check("pytorch-operator")
  }

  @Test(.enabled(if: PythonPeer.shouldRun)) func pytorchConverted() throws {
    try Self.check("pytorch-converted")
  }

  @Test(.enabled(if: PythonPeer.shouldRun)) func light() throws { try Self.check("light") }
}
