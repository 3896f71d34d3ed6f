import ArgumentParser
import CompGraph
import CompGraphTools
import ExplorerCore
import Foundation

/// `compgraph-serve worker TASK`: one API request's work, in the child
/// process the server runs with a time budget (not for users).  Reads the
/// request's JSON on standard input and writes the answer on standard
/// output: JSON for `graph` and `trace`, the file for `export`.  A problem
/// with the input exits with status 3 and `{"error": "…"}`.  The worker dies
/// with the server, and its address space is limited to `--memory-limit`.
struct WorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker", abstract: "Answer one request (internal).", shouldDisplay: false)

  enum Task: String, ExpressibleByArgument, CaseIterable {
    case graph, trace, export
  }

  /// The exit status that marks an answer as a message about the input.
  static let inputProblemStatus: Int32 = 3

  @Argument var task: Task
  @Option var nodeLimit = Limits.standard.nodes
  @Option var nodeBudget = Limits.standard.nodeBudget
  @Option var evaluationBytes = Limits.standard.evaluationBytes
  @Option var memoryLimit = Limits.standard.workerMemory

  func run() throws {
    BudgetedProcess.dieWithParent()
    BudgetedProcess.limitMemory(to: memoryLimit)
    let body = FileHandle.standardInput.readDataToEndOfFile()
    let output: Data
    do {
      let request = try JSONDecoder().decode(ExplorerRequest.self, from: body)
      var limits = Limits.standard
      (limits.nodes, limits.nodeBudget, limits.evaluationBytes) =
        (nodeLimit, nodeBudget, evaluationBytes)
      let work = Work(request: request, limits: limits)
      switch task {
      case .graph: output = try JSONEncoder().encode(work.graphAnswer())
      case .trace: output = try JSONEncoder().encode(work.traceAnswer())
      case .export: output = try work.exported()
      }
    } catch let problem as InputProblem {
      let message = cut(problem.message, to: Limits.standard.messageScalars)
      FileHandle.standardOutput.write(try JSONEncoder().encode(["error": message]))
      throw ExitCode(Self.inputProblemStatus)
    }
    FileHandle.standardOutput.write(output)
  }
}

/// A message about the request's content: shown on the page, under the input.
struct InputProblem: Error {
  let message: String
}

/// Runs `body`, turning the library's errors about the input into an `InputProblem`.
func aboutInput<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as ParseError {
    throw InputProblem(message: "\(error)")
  } catch let error as GraphError {
    throw InputProblem(message: "\(error)")
  } catch let error as RenderError {
    throw InputProblem(message: "\(error)")
  }
}
