import Foundation
import Testing

/// The `ray` command (`ray start`, `ray stop`, `ray status`): beside the test bundle, or in the
/// release build (`swift build -c release --product ray`), or where RAY_TEST_RAY says.
func rayCommand() throws -> String {
    if let path = ProcessInfo.processInfo.environment["RAY_TEST_RAY"] { return path }
    let candidates = [buildProductsDirectory() + "/ray", packageRootDirectory() + "/.build/release/ray"]
    guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
        throw NetworkHosts.Failure(description: "no ray command at \(candidates.joined(separator: " or ")); build it with `swift build --product ray`")
    }
    return found
}

/// The token file's path that `ray start --head` printed: the `--token-file` of its join command,
/// or else a path on a line that speaks of the token.
func tokenFilePath(in output: String) -> String? {
    let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"`")) }
    if let flag = words.firstIndex(of: "--token-file"), flag + 1 < words.count { return words[flag + 1] }
    for line in output.split(separator: "\n") where line.lowercased().contains("token") {
        if let path = line.split(separator: " ").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"`,.;()")) })
            .first(where: { $0.hasPrefix("/") }) { return path }
    }
    return nil
}

extension ClusterTests.MultiHostTests {
    /// Real nodes on separate hosts (network namespaces), as issue 10 asks: `ray start` on each
    /// host's own address, the seed's check and a 100 MB transfer between hosts, and the launch
    /// script through a stand-in ssh.
    @Suite struct ClusterOnHostsTests {
        static let driver = buildProductsDirectory() + "/RayTestDriver"

        /// Distinct addresses in the `node ips …` line of a `node-ips` run.
        static func nodeIPs(in output: String) -> Set<String> {
            let line = output.split(separator: "\n").first { $0.hasPrefix("node ips ") } ?? ""
            return Set(line.dropFirst("node ips ".count).split(separator: " ").map(String.init))
        }

        /// Whether nothing runs in any host any more (what `ray stop` must leave).
        static func allStopped(_ net: NetworkHosts) async -> Bool {
            await eventually(within: 20) { net.hosts.allSatisfy { net.processes(on: $0).isEmpty } }
        }

        @Test func threeHostsRunTheSeedsCheckAndMove100MBBetweenHosts() async throws {
            let ray = try rayCommand()
            try await NetworkHosts.withHosts(count: 3) { net in
                let head = net.hosts[0], port = "6379"
                let started = try net.run(on: head, [ray, "start", "--head", "--port", port, "--node-ip-address", head.address, "--num-cpus", "1"])
                try #require(started.succeeded, "ray start --head: \(started)")
                let tokenFile = try #require(tokenFilePath(in: started.output + "\n" + started.error), "no token file in: \(started)")
                let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                for worker in net.hosts.dropFirst() {
                    let joined = try net.run(on: worker, [ray, "start", "--address", "\(head.address):\(port)", "--token-file", tokenFile,
                                                          "--node-ip-address", worker.address, "--num-cpus", "1"])
                    try #require(joined.succeeded, "ray start on \(worker): \(joined)")
                }
                let status = try net.run(on: head, [ray, "status"])
                #expect(status.succeeded, "\(status)")
                for host in net.hosts { #expect(status.output.contains(host.address), "ray status does not list \(host)") }

                let environment = ["RAY_ADDRESS": "\(head.address):\(port)", "RAY_CLUSTER_TOKEN_FILE": tokenFile]
                let check = try net.run(on: head, [Self.driver, "node-ips", "1000"], environment: environment, timeout: .seconds(180))
                #expect(check.succeeded, "\(check)")
                #expect(Self.nodeIPs(in: check.output) == Set(net.hosts.map(\.address)), "\(check)")

                // A driver on a worker's host: 100 MB from it to the others and back.
                let here = net.hosts[1]
                let transfer = try net.run(on: here, [Self.driver, "transfer", "100", here.address], environment: environment,
                                           timeout: .seconds(300))
                #expect(transfer.succeeded, "\(transfer)")
                let others = net.hosts.map(\.address).filter { $0 != here.address }
                for prefix in ["sent to ", "received from "] {
                    let line = transfer.output.split(separator: "\n").first { $0.hasPrefix(prefix) } ?? ""
                    #expect(others.contains { line.contains($0) }, "\(prefix)…: \(transfer)")
                }

                for host in net.hosts.reversed() {
                    let stopped = try net.run(on: host, [ray, "stop"])
                    #expect(stopped.succeeded, "ray stop on \(host): \(stopped)")
                }
                #expect(await Self.allStopped(net), "processes left after ray stop: \(net.hosts.map { net.processes(on: $0) })")
                let again = try net.run(on: head, [ray, "stop"])
                #expect(again.succeeded, "a second ray stop: \(again)")
            }
        }

        @Test func theLaunchScriptStartsAClusterOnThreeHostsAndStopsIt() async throws {
            let ray = try rayCommand()
            try await NetworkHosts.withHosts(count: 3) { net in
                let head = net.hosts[0], port = "6380"
                let scratch = head.directory + "/scratch"
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
                let workersFile = scratch + "/workers", sshLog = scratch + "/ssh-calls"
                try "# the workers\n\(net.hosts[1].address)\n\n\(net.hosts[2].address)   # the last one\n"
                    .write(toFile: workersFile, atomically: true, encoding: .utf8)
                let environment = try net.standInSSHEnvironment(log: sshLog)
                let script = packageRootDirectory() + "/Scripts/ray-cluster.sh"
                let options = ["--head", head.address, "--workers", workersFile, "--port", port,
                               "--ssh", NetworkHosts.standInSSH, "--ray", ray]
                let up = try runProgram("/bin/bash", [script, "up", "--num-cpus", "1"] + options, environment: environment,
                                        timeout: .seconds(180))
                #expect(up.succeeded, "\(up)")

                // A driver on the last worker, with that worker's copy of the token.
                let worker = net.hosts[2]
                let copy = "\(worker.directory)/.ray/cluster-token-\(head.address)-\(port)"
                let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                let check = try net.run(on: worker, [Self.driver, "node-ips", "1000"],
                                        environment: ["RAY_ADDRESS": "\(head.address):\(port)", "RAY_CLUSTER_TOKEN_FILE": copy],
                                        timeout: .seconds(180))
                #expect(check.succeeded, "\(check)")
                #expect(Self.nodeIPs(in: check.output) == Set(net.hosts.map(\.address)), "\(check)")
                let token = try String(contentsOfFile: copy, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(!token.isEmpty)
                #expect(!(try String(contentsOfFile: sshLog, encoding: .utf8)).contains(token), "the token was on a command line")

                let down = try runProgram("/bin/bash", [script, "down"] + options, environment: environment, timeout: .seconds(120))
                #expect(down.succeeded, "\(down)")
                #expect(await Self.allStopped(net), "processes left after down: \(net.hosts.map { net.processes(on: $0) })")
                #expect(!FileManager.default.fileExists(atPath: copy))
            }
        }
    }
}
