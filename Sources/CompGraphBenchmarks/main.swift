// Placeholder until the lead's driver lands: runs W4 only.
for line in runW4(quick: CommandLine.arguments.contains("--quick")) { print(line) }
