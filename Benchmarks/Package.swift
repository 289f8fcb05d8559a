// swift-tools-version: 6.0
import PackageDescription

// The microbenchmark suite, a package of its own so users of Ray never build it.
let package = Package(
    name: "RayBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Ray", path: "..")],
    targets: [
        .executableTarget(name: "ray-microbenchmark", dependencies: [.product(name: "Ray", package: "Ray")],
                          path: "Sources/RayMicrobenchmark"),
    ],
    swiftLanguageModes: [.v6]
)
