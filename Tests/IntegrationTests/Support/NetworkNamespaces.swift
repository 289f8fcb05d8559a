import Foundation
import Glibc

/// Separate "hosts" on one machine for multi-node tests: a network namespace per host, each with
/// its own loopback and one interface (`eth0`, address `10.<k>.0.<i+1>/24`), all cabled to a
/// bridge in a namespace of their own (the "switch"). Nothing is added to the root namespace:
/// the veth pairs are made inside the switch namespace with one end moved into the host's.
///
/// A command runs inside a host with `ip netns exec`, so it sees the same files and binaries as
/// the test; each host gets its own directory (its `HOME` and `RAY_TMPDIR`) so the Ray sessions
/// of different hosts do not meet. `stop()` (also `deinit`, and the end of `withHosts`, whether
/// its body returns or throws) kills every process in the namespaces and deletes them with their
/// links and directories. Names carry the test process's pid (`rayt<pid>-<n>h<i>`, `rayt<pid>-<n>sw`),
/// so whatever a crashed run left is found and removed by the next one.
///
/// Needs root and iproute2's `ip`; `NetworkHosts.missingRequirement` says which is missing.
final class NetworkHosts: @unchecked Sendable {
    /// One host: its namespace, its address and its private directory.
    struct Host: Sendable, CustomStringConvertible {
        let index: Int
        let namespace: String
        let address: String
        /// The host's `HOME` and `RAY_TMPDIR` (sessions go in `<it>/ray`).
        let directory: String
        /// What every command run on this host gets in its environment.
        var environment: [String: String] { ["HOME": directory, "RAY_TMPDIR": directory] }
        var description: String { "\(namespace) (\(address))" }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let prefix = "rayt"
    let hosts: [Host]
    let switchNamespace: String
    /// The `/24` the hosts share: `10.<k>.0.0`. Each run's namespaces are isolated from every
    /// other run's and from the root namespace, so `k` only varies to make mistakes visible.
    let subnet: String

    private let ip: String
    private let lock = NSLock()
    private var namespaces: [String] = []
    /// The hosts' directories and the stand-in ssh's map file.
    private var directories: [String] = []
    private var background: [Process] = []
    private var stopped = false
    nonisolated(unsafe) private static var runs = 0

    /// Why these tests cannot run here, or nil: they need root and iproute2's `ip`.
    static var missingRequirement: String? {
        if geteuid() != 0 {
            return "multi-host tests make network namespaces and need root (uid 0); this is uid \(geteuid())" + skipHint
        }
        if findIP() == nil {
            return "multi-host tests need iproute2's `ip` command (apt-get install iproute2); none in PATH, /usr/sbin or /sbin" + skipHint
        }
        return nil
    }

    /// Throws, saying what is missing, where namespaces cannot be made: the first line of a test
    /// that makes them by other means than `init`.
    static func requireSupport() throws {
        if let missing = missingRequirement { throw Failure(description: missing) }
    }

    /// Set to skip the multi-host tests on purpose (they fail, not pass, where they cannot run).
    static let skipVariable = "RAY_TEST_SKIP_NETNS"
    static var skipRequested: Bool { ProcessInfo.processInfo.environment[skipVariable] != nil }
    private static var skipHint: String { " (set \(skipVariable)=1 to skip these tests)" }

    /// Makes `count` hosts joined by a switch. Throws (having removed what it made) if any step fails.
    init(count: Int) throws {
        try Self.requireSupport()
        ip = Self.findIP()!
        Self.removeLeftovers()
        let run: Int = Self.runsLock.withLock { Self.runs += 1; return Self.runs }
        let name = "\(Self.prefix)\(getpid())-\(run)"
        let k = 1 + Int((getpid() &+ Int32(run)) % 250)
        subnet = "10.\(k).0.0/24"
        switchNamespace = name + "sw"
        hosts = (0..<count).map { i in
            Host(index: i, namespace: "\(name)h\(i)", address: "10.\(k).0.\(i + 1)",
                 directory: "\(Self.temporaryDirectory)/\(name)h\(i)")
        }
        do {
            try makeNamespace(switchNamespace)
            try ipCommand("-n", switchNamespace, "link", "add", "br0", "type", "bridge")
            try ipCommand("-n", switchNamespace, "link", "set", "br0", "up")
            for host in hosts {
                try makeNamespace(host.namespace)
                let port = "h\(host.index)"
                try ipCommand("-n", switchNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.namespace)
                try ipCommand("-n", switchNamespace, "link", "set", port, "master", "br0")
                try ipCommand("-n", switchNamespace, "link", "set", port, "up")
                try ipCommand("-n", host.namespace, "addr", "add", host.address + "/24", "dev", "eth0")
                try ipCommand("-n", host.namespace, "link", "set", "eth0", "up")
                lock.withLock { directories.append(host.directory) }
                guard mkdir(host.directory, 0o700) == 0 else {
                    throw Failure(description: "cannot create \(host.directory): \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Makes `count` hosts, runs `body` with them and removes them whether `body` returns or throws.
    static func withHosts<R>(count: Int, _ body: (NetworkHosts) async throws -> R) async throws -> R {
        let hosts = try NetworkHosts(count: count)
        defer { hosts.stop() }
        return try await body(hosts)
    }

    // MARK: Running commands on a host

    /// Runs `arguments` inside `host` and waits for it, up to `timeout` (then, or if the calling
    /// task is cancelled, kills it). `environment` is added to the test's own and the host's.
    @discardableResult
    func run(on host: Host, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
             timeout: Duration = .seconds(60)) throws -> ProgramResult {
        try runProgram(ip, ["netns", "exec", host.namespace] + arguments,
                         environment: host.environment.merging(environment) { $1 }, input: input, timeout: timeout)
    }

    /// Starts `arguments` inside `host` in the background, its output (stdout and stderr) going to
    /// `logFile` (default: `<host.directory>/background-<n>.log`), and returns its pid. It is
    /// killed by `stop()` if still running; `kill(pid, …)` ends it sooner.
    func spawn(on host: Host, _ arguments: [String], environment: [String: String] = [:], logFile: String? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ip)
        process.arguments = ["netns", "exec", host.namespace] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(host.environment) { $1 }.merging(environment) { $1 }
        let path = logFile ?? host.directory + "/background-\(lock.withLock { background.count }).log"
        guard FileManager.default.createFile(atPath: path, contents: nil), let log = FileHandle(forWritingAtPath: path) else {
            throw Failure(description: "cannot create the log file \(path)")
        }
        defer { try? log.close() }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        lock.withLock { background.append(process) }
        return process.processIdentifier
    }

    /// The processes living in `host`'s namespace now (any parent).
    func processes(on host: Host) -> [Int32] {
        Self.pids(inNamespace: host.namespace, ip: ip)
    }

    // MARK: The stand-in ssh

    /// `Support/netns-ssh`: `netns-ssh HOST COMMAND` runs COMMAND inside the host with that address.
    static let standInSSH = packageRootDirectory() + "/Tests/IntegrationTests/Support/netns-ssh"

    /// Writes the map from addresses to namespaces that `netns-ssh` reads (removed by `stop()`) and
    /// returns the environment it needs; with `log`, it appends every host and command line there.
    func standInSSHEnvironment(log: String? = nil) throws -> [String: String] {
        let map = Self.temporaryDirectory + "/" + switchNamespace.dropLast(2) + "-ssh.map"
        lock.withLock { directories.append(map) }
        try hosts.map { "\($0.address) \($0.namespace) \($0.directory)\n" }.joined()
            .write(toFile: map, atomically: true, encoding: .utf8)
        var environment = ["RAY_NETNS_SSH_MAP": map]
        if let log { environment["RAY_NETNS_SSH_LOG"] = log }
        return environment
    }

    // MARK: Cleanup

    /// Kills every process in the hosts' and the switch's namespaces, deletes the namespaces (their
    /// links go with them) and the hosts' directories. Idempotent.
    func stop() {
        let (names, dirs, processes): ([String], [String], [Process]) = lock.withLock {
            if stopped { return ([], [], []) }
            stopped = true
            return (namespaces, directories, background)
        }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for name in names.reversed() { Self.removeNamespace(name, ip: ip) }
        for path in dirs { try? FileManager.default.removeItem(atPath: path) }
    }

    /// This run's namespaces that still exist (empty after `stop()`).
    var remainingNamespaces: [String] {
        let mine = Set(hosts.map(\.namespace) + [switchNamespace])
        return Self.namespaceNames(ip: ip).filter(mine.contains)
    }

    /// Deletes the namespaces and directories of runs whose process is gone (a crashed test
    /// process, or one killed at a time limit), with whatever still runs in them.
    static func removeLeftovers() {
        guard let ip = findIP() else { return }
        for name in namespaceNames(ip: ip) {
            guard let pid = ownerPID(of: name), !processExists(pid) else { continue }
            removeNamespace(name, ip: ip)
        }
        let temporary = temporaryDirectory
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] {
            guard let pid = ownerPID(of: entry), !processExists(pid) else { continue }
            try? FileManager.default.removeItem(atPath: temporary + "/" + entry)
        }
    }

    // MARK: Helpers

    private func makeNamespace(_ name: String) throws {
        try ipCommand("netns", "add", name)
        lock.withLock { namespaces.append(name) }
        try ipCommand("-n", name, "link", "set", "lo", "up")
    }

    private func ipCommand(_ arguments: String...) throws {
        let result = try runProgram(ip, arguments, timeout: .seconds(20))
        guard result.succeeded else {
            throw Failure(description: "ip \(arguments.joined(separator: " ")) failed: \(result)")
        }
    }

    /// The pid in a name this type made (`rayt<pid>-…`), or nil for any other name.
    private static func ownerPID(of name: String) -> Int32? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        return Int32(rest[..<dash])
    }

    private static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    private static func namespaceNames(ip: String) -> [String] {
        let result = try? runProgram(ip, ["netns", "list"], timeout: .seconds(20))
        return (result?.output ?? "").split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private static func pids(inNamespace name: String, ip: String) -> [Int32] {
        let result = try? runProgram(ip, ["netns", "pids", name], timeout: .seconds(20))
        return (result?.output ?? "").split(separator: "\n").compactMap { Int32($0) }.filter { $0 != getpid() }
    }

    /// Ends the processes in a namespace (TERM, then KILL after 2 s) and deletes it. A namespace
    /// outlives `ip netns del` while a process is in it, so the processes go first.
    private static func removeNamespace(_ name: String, ip: String) {
        var remaining = pids(inNamespace: name, ip: ip)
        for pid in remaining { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(2)
        while !remaining.isEmpty && Date() < deadline {
            usleep(20_000)
            remaining = pids(inNamespace: name, ip: ip)
        }
        for _ in 0..<50 where !remaining.isEmpty {
            for pid in remaining { kill(pid, SIGKILL) }
            usleep(20_000)
            remaining = pids(inNamespace: name, ip: ip)
        }
        _ = try? runProgram(ip, ["netns", "delete", name], timeout: .seconds(20))
    }

    private static func findIP() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { $0 + "/ip" }.first { access($0, X_OK) == 0 }
    }

    private static let runsLock = NSLock()

    /// The temporary directory without a trailing slash.
    static var temporaryDirectory: String {
        let path = NSTemporaryDirectory()
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
