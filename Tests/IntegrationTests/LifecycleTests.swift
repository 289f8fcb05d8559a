import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct LifecycleTests {
        @Test func shutdownEndsEveryProcessAndRemovesTheSession() async throws {
            let ray = try await Ray.start(RayOptions(cpus: 2))
            let services = ray.serviceProcessIDs
            let session = ray.sessionDirectory
            let worker = try await ray.get(try WorkerPID.remote())
            #expect(services.count == 2)
            #expect(services.allSatisfy(processIsAlive))
            await ray.shutdown()
            #expect(services.allSatisfy { !processIsAlive($0) })
            #expect(await eventually { !processIsAlive(worker) })
            #expect(!FileManager.default.fileExists(atPath: session))
            #expect(childProcesses(of: getpid()).isEmpty)
        }

        @Test func aScopedClusterShutsDownWhetherItsBodyReturnsOrThrows() async throws {
            let (value, services) = try await Ray.withCluster(RayOptions(cpus: 1)) { ray in
                (try await ray.get(try Double2.remote(21)), ray.serviceProcessIDs)
            }
            #expect(value == 42)
            #expect(services.allSatisfy { !processIsAlive($0) })
            struct Stop: Error {}
            var started: [Int32] = []
            await #expect(throws: Stop.self) {
                try await Ray.withCluster(RayOptions(cpus: 1)) { ray in
                    started = ray.serviceProcessIDs
                    throw Stop()
                }
            }
            #expect(!started.isEmpty && started.allSatisfy { !processIsAlive($0) })
            #expect(throws: RayError.notStarted) { try Ray.current() }
        }

        @Test func usingRayBeforeStartOrAfterShutdownFailsClearly() async throws {
            #expect(throws: RayError.notStarted) { try Ray.current() }
            #expect(throws: RayError.notStarted) { try Double2.remote(1) }
            let ray = try await Ray.start(RayOptions(cpus: 1))
            let ref = try ray.put(5)
            await ray.shutdown()
            await #expect(throws: RayError.shutDown) { try await ref.get() }
            await #expect(throws: RayError.shutDown) { try await ray.get(ref) }
        }

        @Test func aKilledDriverTakesItsClusterWithIt() async throws {
            let driver = try TestDriverProcess(mode: "hold")
            let services = try driver.serviceProcessIDs()
            let session = driver.sessionDirectory()
            #expect(services.count == 2)
            #expect(FileManager.default.fileExists(atPath: session))
            kill(driver.pid, SIGKILL)
            driver.reap()
            #expect(await eventually { services.allSatisfy { !processIsAlive($0) } })
            #expect(await eventually { !FileManager.default.fileExists(atPath: session) })
        }

        @Test func nothingOfASessionWithAnActorOutlivesAKilledDriver() async throws {
            let driver = try TestDriverProcess(mode: "actor")
            let services = try driver.serviceProcessIDs()
            let session = driver.sessionDirectory()
            let actor = try #require(driver.readLine { $0.hasPrefix("actor pid ") }.flatMap { Int32($0.dropFirst("actor pid ".count)) })
            let sockets = try FileManager.default.contentsOfDirectory(atPath: session).filter { $0.hasPrefix("a") && $0.hasSuffix(".sock") }
            #expect(sockets.count == 1)
            kill(driver.pid, SIGKILL)
            driver.reap()
            #expect(await eventually(within: 5) { (services + [actor]).allSatisfy { !processIsAlive($0) } })
            #expect(await eventually(within: 5) { !FileManager.default.fileExists(atPath: session) })
        }

        @Test func aCrashingDriverTakesItsClusterWithIt() async throws {
            let driver = try TestDriverProcess(mode: "crash")
            let services = try driver.serviceProcessIDs()
            driver.reap()
            #expect(await eventually { services.allSatisfy { !processIsAlive($0) } })
        }

        @Test func workerOutputReachesTheDriverWithItsPid() async throws {
            let driver = try TestDriverProcess(mode: "print")
            let output = driver.readAll()
            driver.reap()
            let pidLine = output.split(separator: "\n").first { $0.hasPrefix("worker pid ") }
            let pid = try #require(pidLine.map { String($0.dropFirst("worker pid ".count)) })
            #expect(output.contains("(pid=\(pid)) worker says hello"))
        }
    }
}

/// The RayTestDriver program (built beside this test bundle), started as a separate driver.
final class TestDriverProcess {
    let pid: Int32
    private let output: FileHandle
    private var buffered = ""

    init(mode: String) throws {
        let executable = buildProductsDirectory() + "/RayTestDriver"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [mode]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        pid = process.processIdentifier
        output = pipe.fileHandleForReading
    }

    /// Reads lines until the driver reports its services.
    func serviceProcessIDs() throws -> [Int32] {
        while !buffered.contains("services ") || !buffered.hasSuffix("\n") {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            buffered += String(decoding: chunk, as: UTF8.self)
        }
        let line = buffered.split(separator: "\n").first { $0.hasPrefix("services ") } ?? ""
        return line.dropFirst("services ".count).split(separator: " ").compactMap { Int32($0) }
    }

    /// The session directory the driver reported (read after `serviceProcessIDs`).
    func sessionDirectory() -> String {
        let line = buffered.split(separator: "\n").first { $0.hasPrefix("session ") } ?? ""
        return String(line.dropFirst("session ".count))
    }

    /// Reads until a line that `matches` arrives (or the output ends) and returns it.
    func readLine(where matches: (Substring) -> Bool) -> String? {
        while true {
            if let line = buffered.split(separator: "\n").first(where: matches), buffered.contains(line + "\n") { return String(line) }
            let chunk = output.availableData
            if chunk.isEmpty { return nil }
            buffered += String(decoding: chunk, as: UTF8.self)
        }
    }

    func readAll() -> String {
        buffered + String(decoding: output.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Waits for the driver to end (it was killed or it exits by itself), within 30 seconds.
    func reap() {
        var status: Int32 = 0
        for _ in 0..<3000 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}
