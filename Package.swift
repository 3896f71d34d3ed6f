// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "CompGraph",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "CompGraph", targets: ["CompGraph"]),
    .executable(name: "compgraph", targets: ["CompGraphCLI"]),
    .executable(name: "compgraph-bench", targets: ["CompGraphBenchmarks"]),
    .executable(name: "compgraph-fuzz", targets: ["CompGraphFuzz"]),
    .executable(name: "compgraph-serve", targets: ["CompGraphServe"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
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
        "CompGraph",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "CompGraphServe",
      dependencies: [
        "CompGraph",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Hummingbird", package: "hummingbird"),
      ],
      resources: [.copy("Page")]
    ),
    .executableTarget(
      name: "CompGraphBenchmarks",
      dependencies: ["CompGraph", "ExampleSupport"]
    ),
    .target(name: "ExampleSupport", dependencies: ["CompGraph"], path: "Examples/Support"),
    .executableTarget(
      name: "HigherOrderTanh", dependencies: ["CompGraph", "ExampleSupport"], path: "Examples/HigherOrderTanh"),
    .executableTarget(
      name: "FiniteDifferenceError", dependencies: ["CompGraph", "ExampleSupport"],
      path: "Examples/FiniteDifferenceError"),
    .executableTarget(
      name: "NewtonRosenbrock", dependencies: ["CompGraph", "ExampleSupport"], path: "Examples/NewtonRosenbrock"),
    .executableTarget(
      name: "LogisticRegression", dependencies: ["CompGraph", "ExampleSupport"], path: "Examples/LogisticRegression"),
    .executableTarget(
      name: "TaylorSeries", dependencies: ["CompGraph", "ExampleSupport"], path: "Examples/TaylorSeries"),
    .executableTarget(name: "CharRNN", dependencies: ["CompGraph", "ExampleSupport"], path: "Examples/CharRNN"),
    .executableTarget(name: "Spirals", dependencies: ["CompGraph", "ExampleSupport"], path: "Examples/Spirals"),
    .executableTarget(
      name: "CompGraphFuzz",
      dependencies: ["CompGraph"]
    ),
    .testTarget(
      name: "CompGraphTests",
      dependencies: [
        "CompGraph", "CompGraphServe", "ExampleSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "CompGraphCLITests",
      dependencies: ["CompGraph", "CompGraphCLI", "ExampleSupport"]
    ),
  ]
)
