import Foundation
import Testing

/// Tests that run separate hosts in network namespaces (`NetworkHosts`): they need root and
/// iproute2, and fail with a message saying so elsewhere, unless `RAY_TEST_SKIP_NETNS` is set.
/// One at a time: each makes namespaces and starts processes of its own.
/// Inside `ClusterTests`, whose suites run one at a time: they run programs and wait for them.
extension ClusterTests {
    @Suite(.serialized, .timeLimit(.minutes(10)),
           .disabled(if: NetworkHosts.skipRequested, "\(NetworkHosts.skipVariable) is set"))
    struct MultiHostTests {}
}

/// The names of the root namespace's links.
func rootLinkNames() throws -> [String] {
    let result = try runProgram("/bin/sh", ["-c", "ip -o link show | cut -d: -f2"])
    return result.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
}

extension ClusterTests.MultiHostTests {
    @Suite(.timeLimit(.minutes(2))) struct NetworkHostsTests {
        @Test func threeHostsReachEachOtherOverTCPAndLeaveNothingBehind() async throws {
            let linksBefore = try rootLinkNames()
            let driver = buildProductsDirectory() + "/RayTestDriver"
            var names: [String] = []
            var directories: [String] = []
            var sleeper: Int32 = 0
            try await NetworkHosts.withHosts(count: 3) { net in
                names = net.hosts.map(\.namespace) + [net.switchNamespace]
                directories = net.hosts.map(\.directory)
                #expect(Set(net.remainingNamespaces) == Set(names))
                #expect(Set(net.hosts.map(\.address)).count == 3)
                for server in net.hosts {
                    let log = server.directory + "/serve.log"
                    let pid = try net.spawn(on: server, [driver, "tcp-serve", "7777"], logFile: log)
                    let listening = await eventually(within: 20) {
                        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("listening")
                    }
                    #expect(listening, "tcp-serve on \(server) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                    for client in net.hosts where client.index != server.index {
                        let result = try net.run(on: client, [driver, "tcp-probe", server.address, "7777"], timeout: .seconds(20))
                        #expect(result.succeeded, "\(client) -> \(server): \(result)")
                        #expect(result.output == "served by \(server.address)\n")
                    }
                    kill(pid, SIGKILL)
                }
                // A host has its loopback, its own address and nothing of the root namespace's.
                let addresses = try net.run(on: net.hosts[0], ["ip", "-o", "-4", "addr", "show"])
                #expect(addresses.output.contains("inet 127.0.0.1/8"))
                #expect(addresses.output.contains("inet \(net.hosts[0].address)/24"))
                #expect(!addresses.output.contains(net.hosts[1].address))
                #expect(addresses.output.split(separator: "\n").count == 2)
                // Each host's directory is its HOME and RAY_TMPDIR.
                let environment = try net.run(on: net.hosts[2], ["sh", "-c", "echo $HOME $RAY_TMPDIR"])
                #expect(environment.output == "\(net.hosts[2].directory) \(net.hosts[2].directory)\n")
                // Whatever still runs in a host is ended by the cleanup.
                sleeper = try net.spawn(on: net.hosts[1], ["sleep", "600"])
                #expect(net.processes(on: net.hosts[1]).contains(sleeper))
            }
            let remaining = try runProgram("/bin/sh", ["-c", "ip netns list"])
            for name in names { #expect(!remaining.output.contains(name)) }
            #expect(!processIsAlive(sleeper))
            #expect(try rootLinkNames() == linksBefore)
            for directory in directories { #expect(!FileManager.default.fileExists(atPath: directory)) }
        }

        @Test func hostsAreRemovedWhenTheBodyThrows() async throws {
            try NetworkHosts.requireSupport()
            struct Stop: Error {}
            var hosts: NetworkHosts?
            await #expect(throws: Stop.self) {
                try await NetworkHosts.withHosts(count: 2) { net in
                    hosts = net
                    _ = try net.spawn(on: net.hosts[0], ["sleep", "600"])
                    throw Stop()
                }
            }
            let net = try #require(hosts)
            #expect(net.remainingNamespaces.isEmpty)
            #expect(net.hosts.allSatisfy { !FileManager.default.fileExists(atPath: $0.directory) })
        }

        @Test func aCrashedRunsNamespacesAreRemovedByTheNext() async throws {
            try NetworkHosts.requireSupport()
            // A pid that was just used and is gone stands for the crashed test process.
            let gone = try runProgram("/bin/sh", ["-c", "echo $$"])
            let pid = try #require(Int32(gone.output.trimmingCharacters(in: .whitespacesAndNewlines)))
            try #require(!processIsAlive(pid))
            let name = "\(NetworkHosts.prefix)\(pid)-1h0"
            let directory = NetworkHosts.temporaryDirectory + "/" + name
            #expect(try runProgram("/bin/sh", ["-c", "ip netns add \(name)"]).succeeded)
            #expect(mkdir(directory, 0o700) == 0)
            // Another live run's names are left alone: this process's own.
            let live = "\(NetworkHosts.prefix)\(getpid())-999h0"
            #expect(try runProgram("/bin/sh", ["-c", "ip netns add \(live)"]).succeeded)
            defer { _ = try? runProgram("/bin/sh", ["-c", "ip netns delete \(live)"]) }
            NetworkHosts.removeLeftovers()
            let list = try runProgram("/bin/sh", ["-c", "ip netns list"]).output
            #expect(!list.contains(name + " ") && !list.contains(name + "\n"))
            #expect(list.contains(live))
            #expect(!FileManager.default.fileExists(atPath: directory))
        }

        @Test func theStandInSSHRunsTheLaunchScriptsCommandsInsideEachHost() async throws {
            try await NetworkHosts.withHosts(count: 3) { net in
                let (head, workers) = (net.hosts[0], Array(net.hosts[1...]))
                let scratch = head.directory + "/scratch"
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
                let fakeRay = scratch + "/fake-ray", calls = scratch + "/ray-calls", sshLog = scratch + "/ssh-calls"
                // Logs where it runs: the host's address, HOME and RAY_TMPDIR.
                try """
                    #!/bin/sh
                    address=$(ip -o -4 addr show dev eth0 | awk '{print $4}')
                    printf '%s %s %s %s\\n' "$address" "$HOME" "$RAY_TMPDIR" "$*" >> "$CALLS"
                    if [ "$1 $2" = "start --head" ]; then
                        (umask 077; echo "token-$(date +%N)" > "$HOME/head-token")
                        echo "Join with: ray start --address $address --token-file $HOME/head-token --node-ip-address <IP>"
                    fi
                    """.write(toFile: fakeRay, atomically: true, encoding: .utf8)
                chmod(fakeRay, 0o755)
                let workersFile = scratch + "/workers"
                try workers.map(\.address).joined(separator: "\n").write(toFile: workersFile, atomically: true, encoding: .utf8)
                let environment = try net.standInSSHEnvironment(log: sshLog).merging(["CALLS": calls]) { $1 }
                let script = packageRootDirectory() + "/Scripts/ray-cluster.sh"
                let options = ["--head", head.address, "--workers", workersFile, "--ssh", NetworkHosts.standInSSH, "--ray", fakeRay]
                let up = try runProgram("/bin/bash", [script, "up"] + options, environment: environment)
                #expect(up.succeeded, "\(up)")
                let lines = ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").split(separator: "\n")
                #expect(lines.count == 3)
                #expect(lines.contains { $0.hasPrefix("\(head.address)/24 \(head.directory) \(head.directory) start --head") })
                let token = try String(contentsOfFile: head.directory + "/head-token", encoding: .utf8)
                for worker in workers {
                    let copy = "\(worker.directory)/.ray/cluster-token-\(head.address)-6379"
                    #expect(lines.contains("\(worker.address)/24 \(worker.directory) \(worker.directory) start --address \(head.address):6379 --token-file \(copy) --node-ip-address \(worker.address)"))
                    #expect((try? String(contentsOfFile: copy, encoding: .utf8)) == token)
                }
                let sshCalls = try String(contentsOfFile: sshLog, encoding: .utf8)
                #expect(!sshCalls.contains(token.trimmingCharacters(in: .whitespacesAndNewlines)))
                let down = try runProgram("/bin/bash", [script, "down"] + options, environment: environment)
                #expect(down.succeeded, "\(down)")
                let stops = ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasSuffix(" stop") }
                #expect(stops.count == 3)
                #expect(stops.last?.hasPrefix(head.address + "/24 ") == true)
                // An unknown host fails as ssh does: status 255.
                let unknown = try runProgram(NetworkHosts.standInSSH, ["10.255.255.255", "true"], environment: environment)
                #expect(unknown.status == 255)
            }
        }
    }
}
