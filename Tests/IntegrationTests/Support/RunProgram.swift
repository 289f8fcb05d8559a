import Foundation
import Glibc

/// How a program run by `runProgram` ended.
struct ProgramResult: Sendable, CustomStringConvertible {
    let status: Int32
    let output: String
    let error: String
    /// The command was killed because its time was up (or the test was cancelled).
    let timedOut: Bool
    var succeeded: Bool { status == 0 && !timedOut }
    var description: String {
        "status \(status)\(timedOut ? " (timed out)" : "")\nstdout:\n\(output)\nstderr:\n\(error)"
    }
}

/// Runs a program with its output in temporary files (no pipe to fill up), waiting up to
/// `timeout`; kills it when the time is up or the calling task is cancelled.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
                timeout: Duration = .seconds(60)) throws -> ProgramResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let base = NetworkHosts.temporaryDirectory + "/\(NetworkHosts.prefix)\(getpid())-out-\(UInt64.random(in: 0 ... .max))"
    let outPath = base + ".out", errPath = base + ".err", inPath = base + ".in"
    defer { for path in [outPath, errPath, inPath] { unlink(path) } }
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
        throw NetworkHosts.Failure(description: "cannot create output files at \(base)")
    }
    defer { try? out.close(); try? err.close() }
    process.standardOutput = out
    process.standardError = err
    if let input {
        _ = FileManager.default.createFile(atPath: inPath, contents: input, attributes: [.posixPermissions: 0o600])
        process.standardInput = FileHandle(forReadingAtPath: inPath)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    let deadline = Date().addingTimeInterval(seconds)
    var timedOut = false
    while process.isRunning {
        if Date() >= deadline || Task.isCancelled {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            break
        }
        usleep(5_000)
    }
    process.waitUntilExit()
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let error = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return ProgramResult(status: process.terminationStatus, output: output, error: error, timedOut: timedOut)
}
