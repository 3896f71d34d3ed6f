// Temporary (simplify branch): W1 only, until the lead wires the workloads.
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("W1") || arguments.contains("all") {
  for line in runW1(quick: arguments.contains("--quick")) { print(line) }
} else {
  print("{}")
}
