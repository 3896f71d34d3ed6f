// Temporary (simplify branch): W1 only, until the lead wires the workloads.
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("W1") || arguments.contains("all") {
  for line in runW1(quick: arguments.contains("--quick")) { print(line) }
} else if arguments.contains("prof") {
  let k = Int(arguments.last!) ?? 100
  profileW1(variant: "tanh", order: 10, iterations: 3 * k)
  profileW1(variant: "exp", order: 10, iterations: k)
} else {
  print("{}")
}
