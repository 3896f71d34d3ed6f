// swift-tools-version: 6.1
import PackageDescription

// The explorer, `compgraph-serve`: a package of its own, so that a package
// depending on CompGraph does not resolve or build the HTTP server
// (Hummingbird, SwiftNIO and theirs).  It depends on the library by path.
let package = Package(
  name: "CompGraphExplorer",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "compgraph-serve", targets: ["CompGraphServe"]),
    .executable(name: "compgraph-serve-fuzz", targets: ["ExplorerFuzz"]),
  ],
  dependencies: [
    .package(name: "CompGraph", path: ".."),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
  ],
  targets: [
    // What the server checks before any worker starts: the request's head
    // (`RequestGate`), its body (`ExplorerRequest`), the connection's
    // deadlines (`ConnectionGuard`), and the fuzz target over them.
    .target(
      name: "ExplorerCore",
      dependencies: [
        .product(name: "CompGraph", package: "CompGraph"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
      ]
    ),
    .executableTarget(
      name: "CompGraphServe",
      dependencies: [
        "ExplorerCore",
        .product(name: "CompGraph", package: "CompGraph"),
        .product(name: "CompGraphTools", package: "CompGraph"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      resources: [.copy("Page")]
    ),
    .executableTarget(
      name: "ExplorerFuzz",
      dependencies: ["ExplorerCore", .product(name: "CompGraphTools", package: "CompGraph")]),
    .testTarget(
      name: "ExplorerTests",
      dependencies: [
        "CompGraphServe", "ExplorerCore",
        .product(name: "CompGraph", package: "CompGraph"),
        .product(name: "CompGraphTools", package: "CompGraph"),
      ]
    ),
  ]
)
