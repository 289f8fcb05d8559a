// swift-tools-version: 6.0
import PackageDescription

// The seed's example applications, a package of its own so users of Ray never build them.
// `RayExamplesKit` holds what they share (a dense network with hand-written backpropagation,
// synthetic data, a seeded generator, an SVG chart writer); each application is a library of
// its own (what the tests run, small) and a thin executable (the full run).
let package = Package(
    name: "RayExamples",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Ray", path: "..")],
    targets: [
        .target(name: "RayExamplesKit"),
        .target(name: "NetworkWeights", dependencies: ["RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .target(name: "Hyperopt", dependencies: ["RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "hyperopt", dependencies: ["Hyperopt", "RayExamplesKit"]),
        .testTarget(name: "RayExamplesKitTests", dependencies: ["RayExamplesKit"]),
        .target(name: "BatchLBFGS", dependencies: ["RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "lbfgs", dependencies: ["BatchLBFGS"]),
        .target(name: "EvolutionStrategies", dependencies: ["RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "es", dependencies: ["EvolutionStrategies"]),
        .target(name: "PolicyGradient", dependencies: ["RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "policy-gradient", dependencies: ["PolicyGradient"]),
        .target(name: "A3C", dependencies: ["PolicyGradient", "RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "a3c", dependencies: ["A3C"]),
        .target(name: "DataParallel", dependencies: ["NetworkWeights", "RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "data-parallel", dependencies: ["DataParallel", "RayExamplesKit"]),
        .target(name: "PongAgent", dependencies: ["RayExamplesKit", .product(name: "Ray", package: "Ray")]),
        .executableTarget(name: "pong", dependencies: ["PongAgent"]),
        // The kit's matrix products in GFLOP/s.
        .executableTarget(name: "kit-benchmark", dependencies: ["RayExamplesKit"]),
        // The applications' small runs, each on a local cluster of its own, one at a time.
        .testTarget(name: "ExampleRunTests", dependencies: ["Hyperopt", "BatchLBFGS", "NetworkWeights", "EvolutionStrategies", "PolicyGradient", "A3C", "DataParallel", "PongAgent", "RayExamplesKit",
                                                            .product(name: "Ray", package: "Ray")]),
    ],
    swiftLanguageModes: [.v6]
)
