import Foundation

/// The driver both libFuzzer harnesses share (`compgraph-fuzz`, and the
/// explorer's `compgraph-serve-fuzz`).  Built with `-sanitize=fuzzer
/// -DFUZZING`, libFuzzer runs `target` over the inputs it generates, with the
/// command line's options; built without, the files named on the command
/// line (seeds, or a crash a fuzzer run saved) are replayed through it, each
/// with its time.
public enum FuzzDriver {
  /// The target libFuzzer's C callback calls (it cannot capture one).
  nonisolated(unsafe) private static var target: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }

  /// Runs `target` as `program` (its name, for messages; `build` is the
  /// command that builds it with the fuzzer) and exits.
  public static func run(
    _ program: String, build: String, _ target: @escaping (UnsafeBufferPointer<UInt8>) -> Void
  ) -> Never {
    Self.target = target
    #if FUZZING
      var argc = CommandLine.argc
      var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
      exit(
        LLVMFuzzerRunDriver(&argc, &argv) { data, size in
          FuzzDriver.target(UnsafeBufferPointer(start: data, count: size))
          return 0
        })
    #else
      let files = CommandLine.arguments.dropFirst()
      if files.isEmpty {
        print(
          "\(program): this build has no fuzzer; give it input files to replay, or build it with\n  \(build)"
        )
      }
      for file in files {
        guard let data = FileManager.default.contents(atPath: file) else {
          print("\(file): cannot read")
          continue
        }
        let start = ContinuousClock.now
        data.withUnsafeBytes { target($0.bindMemory(to: UInt8.self)) }
        print("\(file): \(ContinuousClock.now - start)")
      }
      exit(0)
    #endif
  }
}

#if FUZZING
  /// libFuzzer's entry point when the program has its own `main`.
  @_silgen_name("LLVMFuzzerRunDriver")
  private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32
#endif
