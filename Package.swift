// swift-tools-version: 6.1
import PackageDescription

let argumentParser = Target.Dependency.product(
  name: "ArgumentParser", package: "swift-argument-parser")

/// The examples: one executable each, its source in Examples/NAME.
let examples = [
  "HigherOrderTanh", "FiniteDifferenceError", "NewtonRosenbrock", "LogisticRegression",
  "TaylorSeries", "CharRNN", "Spirals", "GaussianProcess", "TinyGPT", "Optimize",
].map {
  Target.executableTarget(
    name: $0, dependencies: ["CompGraph", "ExampleSupport", argumentParser], path: "Examples/\($0)")
}

let package = Package(
  name: "CompGraph",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "CompGraph", targets: ["CompGraph"]),
    .executable(name: "compgraph", targets: ["CompGraphCLI"]),
    .executable(name: "compgraph-bench", targets: ["CompGraphBenchmarks"]),
    .executable(name: "compgraph-fuzz", targets: ["CompGraphFuzz"]),
    .library(name: "CompGraphTools", targets: ["CompGraphTools"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CGraphviz",
      pkgConfig: "libgvc",
      providers: [.apt(["libgraphviz-dev"]), .brew(["graphviz"])]
    ),
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
    ),
    .target(name: "CKernels"),
    .target(
      name: "CompGraph",
      dependencies: ["CGraphviz", "CKernels", "CBLAS"]
    ),
    .executableTarget(
      name: "CompGraphCLI",
      dependencies: [
        "CompGraph", "CompGraphTools",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "CProcessControl"),
    .target(name: "CompGraphTools", dependencies: ["CProcessControl"]),
    .executableTarget(
      name: "CompGraphBenchmarks",
      dependencies: ["CompGraph", "CompGraphTools", "ExampleSupport"]
    ),
    .target(
      name: "ExampleSupport", dependencies: ["CompGraph", argumentParser], path: "Examples/Support"),
    .executableTarget(
      name: "CompGraphFuzz",
      dependencies: ["CompGraph", "CompGraphTools"]
    ),
    .testTarget(
      name: "CompGraphTests",
      dependencies: [
        "CompGraph", "ExampleSupport", "CKernels",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "CompGraphCLITests",
      dependencies: ["CompGraph", "CompGraphCLI", "ExampleSupport"]
    ),
  ] + examples
)
