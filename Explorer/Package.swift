// swift-tools-version: 6.1
import PackageDescription

// The explorer, `compgraph-serve`: a package of its own, so that a package
// depending on CompGraph does not resolve or build the HTTP server
// (Hummingbird, SwiftNIO and theirs).  It depends on the library by path.
let package = Package(
  name: "CompGraphExplorer",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "compgraph-serve", targets: ["CompGraphServe"])
  ],
  dependencies: [
    .package(name: "CompGraph", path: ".."),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
  ],
  targets: [
    .executableTarget(
      name: "CompGraphServe",
      dependencies: [
        .product(name: "CompGraph", package: "CompGraph"),
        .product(name: "CompGraphTools", package: "CompGraph"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Hummingbird", package: "hummingbird"),
      ],
      resources: [.copy("Page")]
    ),
    .testTarget(
      name: "ExplorerTests",
      dependencies: [
        "CompGraphServe",
        .product(name: "CompGraph", package: "CompGraph"),
        .product(name: "CompGraphTools", package: "CompGraph"),
      ]
    ),
  ]
)
