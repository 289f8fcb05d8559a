import Foundation

/// The directory of the running test bundle: the package's build products (`.build/debug`).
func buildProductsDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let bundle = String(decoding: buffer[0..<max(count, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return URL(fileURLWithPath: bundle).deletingLastPathComponent().path
}

/// The package's root directory (this file is `<root>/Tests/IntegrationTests/Support/…`).
func packageRootDirectory() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}
