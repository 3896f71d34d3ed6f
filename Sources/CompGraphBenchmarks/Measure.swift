import Dispatch

/// Median wall-clock seconds of `runs` runs of `body`, after one warm-up run.
func medianSeconds(runs: Int = 5, _ body: () throws -> Void) rethrows -> Double {
  try medianSeconds(runs: runs, setup: {}, body)
}

/// Median wall-clock seconds of `runs` runs of `body` on what `setup` makes
/// for it, untimed, before each run (and before one warm-up run).
func medianSeconds<Input>(
  runs: Int = 5, setup: () throws -> Input, _ body: (Input) throws -> Void
) rethrows -> Double {
  try body(setup())
  var times: [Double] = []
  for _ in 0..<runs {
    let input = try setup()
    let start = DispatchTime.now().uptimeNanoseconds
    try body(input)
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  times.sort()
  return times[times.count / 2]
}

/// Runs `body` enough times to last ~10 ms and returns seconds per run (for
/// operations too short to time once), as a median of 5 such batches.
func medianSecondsPerRun(_ body: () throws -> Void) rethrows -> Double {
  try medianAndBestSeconds(runs: 5, repeating: true, body).median
}

/// The median and the best of `runs` timed runs after a warm-up, in seconds per call of `body`;
/// with `repeating`, each timed run calls `body` often enough to last ~10 ms. The best is the
/// figure least disturbed by other work on a shared machine.
func medianAndBestSeconds(runs: Int = 9, repeating: Bool, _ body: () throws -> Void) rethrows
  -> (median: Double, best: Double)
{
  func seconds(_ calls: Int) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<calls { try body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
  var calls = 1
  while try seconds(calls) < (repeating ? 0.01 : 0), calls < 1 << 24 { calls *= 2 }
  let times = try (0..<runs).map { _ in try seconds(calls) / Double(calls) }.sorted()
  return (times[runs / 2], times[0])
}

/// One JSON object on one line, keys in the given order.  Values: numbers
/// (shortest round-trip text; non-finite as strings), strings, and nested
/// objects given as `[(String, Any)]`.
func jsonLine(_ fields: [(String, Any)]) -> String {
  func encode(_ value: Any) -> String {
    switch value {
    case let v as Int: return String(v)
    case let v as Double:
      if v.isNaN { return "\"nan\"" }
      if v.isInfinite { return v < 0 ? "\"-inf\"" : "\"inf\"" }
      return "\(v)"
    case let v as String: return "\"\(v)\""
    case let v as [(String, Any)]: return jsonLine(v)
    default: return "null"
    }
  }
  return "{" + fields.map { "\"\($0.0)\":\(encode($0.1))" }.joined(separator: ",") + "}"
}
