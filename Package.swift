// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Ray",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ray", targets: ["Ray"]),
        .executable(name: "ray-tour", targets: ["Tour"]),
        // The `ray` command: start, join, stop and inspect a cluster of many machines.
        .executable(name: "ray", targets: ["RayCommand"]),
    ],
    dependencies: [
        // Logging for the services (about 4 s of a clean build).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Command-line parsing for the `ray` command only (the library does not build it).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Platform calls Swift's Glibc module cannot make: memfd, SCM_RIGHTS, the worker-mode hook;
        // and HMAC-SHA256 from the system's libcrypto, for the cluster token's handshake.
        .target(name: "CRaySupport", linkerSettings: [.linkedLibrary("crypto")]),
        // IDs, the value codec, wire messages: no sockets, no processes.
        .target(name: "RayCore"),
        // Framed Unix/TCP socket connections and file-descriptor passing.
        .target(name: "RayTransport", dependencies: ["RayCore", "CRaySupport", .product(name: "Logging", package: "swift-log")]),
        // The shared-memory object store: arena, allocator, object table, eviction.
        .target(name: "RayObjectStore", dependencies: ["RayCore", "CRaySupport"]),
        // The global control store service.
        .target(name: "RayGCS", dependencies: ["RayCore", "RayTransport", .product(name: "Logging", package: "swift-log")]),
        // The per-node service: scheduler, worker pool, object store host.
        .target(name: "Raylet", dependencies: ["RayCore", "RayTransport", "RayObjectStore", "CRaySupport",
                                               .product(name: "Logging", package: "swift-log")]),
        // The public Swift API: drivers, workers, remote functions, object refs.
        // Its async functions run on the caller's executor: a call from the main actor does not hop
        // to the global pool and back.
        .target(name: "Ray", dependencies: ["RayCore", "RayTransport", "RayObjectStore", "RayGCS", "Raylet", "CRaySupport",
                                            .product(name: "Logging", package: "swift-log")],
                swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]),
        .executableTarget(name: "Tour", dependencies: ["Ray"], path: "Examples/Tour"),
        .executableTarget(name: "RayCommand", dependencies: ["Ray", "RayCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // A driver program the integration tests start and kill, to test what outlives a driver.
        .executableTarget(name: "RayTestDriver", dependencies: ["Ray"], path: "Tests/RayTestDriver"),
        .testTarget(name: "RayCoreTests", dependencies: ["RayCore"]),
        .testTarget(name: "RayObjectStoreTests", dependencies: ["RayObjectStore"]),
        .testTarget(name: "RayletTests", dependencies: ["Raylet"]),
        .testTarget(name: "RayGCSTests", dependencies: ["RayGCS", "RayCore", "RayTransport"]),
        .testTarget(name: "RayTransportTests", dependencies: ["RayTransport", "RayCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RayTests", dependencies: ["Ray", "RayCore"]),
        // Support/netns-ssh is a script the multi-host tests run, not a source or a resource.
        .testTarget(name: "IntegrationTests", dependencies: ["Ray", "RayCore", "RayTransport", "RayTestDriver", "RayCommand"], exclude: ["Support/netns-ssh"]),
    ],
    swiftLanguageModes: [.v6]
)
