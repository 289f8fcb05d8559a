import Foundation
import Testing

/// `Scripts/ray-cluster.sh` with a fake ssh (runs the command locally with the host's own HOME
/// under a scratch directory) and a fake ray (logs its arguments; the head writes a token file).
/// No root or namespaces needed; `MultiHostTests` runs the script against real `ray` processes.
extension ClusterTests {
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LaunchScriptTests {
    /// A scratch directory with the fake ssh and ray, removed at the end of the test.
    final class Fakes {
        let directory: String
        var ssh: String { directory + "/fake-ssh" }
        var ray: String { directory + "/fake-ray" }
        var workersFile: String { directory + "/workers" }
        static let script = packageRootDirectory() + "/Scripts/ray-cluster.sh"

        init() throws {
            directory = NetworkHosts.temporaryDirectory + "/ray-cluster-test-\(getpid())-\(UInt32.random(in: 0 ... .max))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            try write(ssh, """
                #!/bin/sh
                host=$1; shift
                printf '%s %s\\n' "$host" "$*" >> "$FAKE/ssh-calls"
                if grep -qx "$host" "$FAKE/unreachable" 2>/dev/null; then
                    echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 255
                fi
                mkdir -p "$FAKE/home/$host" && cd "$FAKE/home/$host" || exit 255
                HOME="$FAKE/home/$host" FAKE_HOST="$host" exec sh -c "$*"
                """)
            try write(ray, """
                #!/bin/sh
                printf '%s %s\\n' "$FAKE_HOST" "$*" >> "$FAKE/ray-calls"
                if grep -qx "$FAKE_HOST" "$FAKE/failing" 2>/dev/null; then echo "cannot reach the head" >&2; exit 1; fi
                case "$1 $2" in
                "start --head")
                    (umask 077; echo "token-$$-$(date +%N)" > "$HOME/head-token")
                    echo "Ray head started at $FAKE_HOST"
                    echo "Join with: ray start --address $FAKE_HOST:6379 --token-file '$HOME/head-token' --node-ip-address <IP>" ;;
                "start --address")
                    while [ "$1" != --token-file ]; do shift; done
                    echo "token mode $(stat -c %a "$2")" ;;
                esac
                """)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func write(_ path: String, _ text: String, mode: Int = 0o755) throws {
            try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }

        /// Runs the script with these fakes; `arguments` come after the action.
        func run(_ action: String, _ arguments: [String], ssh useFakeSSH: Bool = true) throws -> ProgramResult {
            let fakes = useFakeSSH ? ["--ssh", ssh, "--ray", ray] : []
            return try runProgram("/bin/bash", [Self.script, action] + arguments + fakes, environment: ["FAKE": directory],
                                  timeout: .seconds(60))
        }

        func lines(_ name: String) -> [String] {
            ((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func contents(_ path: String) -> String? { try? String(contentsOfFile: directory + "/" + path, encoding: .utf8) }
    }

    @Test func helpShowsTheUsageAndMistakesExitWithStatus2() throws {
        let help = try runProgram("/bin/bash", [Fakes.script, "--help"])
        #expect(help.succeeded)
        #expect(help.output.contains("ray-cluster.sh up   --head HOST --workers FILE"))
        #expect(help.output.contains("ray-cluster.sh down --head HOST --workers FILE"))
        let nothing = try runProgram("/bin/bash", [Fakes.script])
        #expect(nothing.status == 2)
        #expect(nothing.error.contains("say up or down"))
        let unknown = try runProgram("/bin/bash", [Fakes.script, "up", "--head", "h", "--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("unknown argument '--bogus'"))
    }

    @Test(arguments: [
        ("nothing", "missing or unreadable"),
        ("10.0.0.2 10.0.0.3\n", "workers:1: one host per line, found '10.0.0.2 10.0.0.3'"),
        ("# fine\n\nh;reboot\n", "workers:3: 'h;reboot' is not a host name or address"),
        ("-oProxyCommand=x\n", "workers:1: '-oProxyCommand=x' is not a host name or address"),
        ("10.0.0.2\n10.0.0.3 # ok\n10.0.0.2\n", "workers:3: 10.0.0.2 is listed twice"),
        ("10.0.0.1\n", "workers:1: 10.0.0.1 is the head (--head); list only the workers"),
    ])
    func aBadWorkersFileIsRefusedBeforeAnyHostIsReached(file: String, message: String) throws {
        let fakes = try Fakes()
        if file != "nothing" { try fakes.write(fakes.workersFile, file, mode: 0o644) }
        let result = try fakes.run("up", ["--head", "10.0.0.1", "--workers", fakes.workersFile])
        #expect(result.status == 2, "\(result)")
        #expect(result.error.contains(message), "\(result)")
        #expect(fakes.lines("ssh-calls").isEmpty)
    }

    @Test(arguments: [["--port", "0"], ["--port", "65536"], ["--port", "x"], ["--parallel", "0"], ["--num-cpus", "-1"],
                      ["--head", "a b"], ["--port"]])
    func badOptionsAreRefused(options: [String]) throws {
        let fakes = try Fakes()
        try fakes.write(fakes.workersFile, "10.0.0.2", mode: 0o644)
        let result = try fakes.run("up", ["--head", "10.0.0.1", "--workers", fakes.workersFile] + options)
        #expect(result.status == 2, "\(result)")
        #expect(fakes.lines("ssh-calls").isEmpty)
    }

    @Test func upStartsTheHeadThenEveryWorkerWithAPrivateCopyOfTheToken() throws {
        let fakes = try Fakes()
        let workers = (2...7).map { "10.0.0.\($0)" }
        try fakes.write(fakes.workersFile, "# the workers\n\n" + workers.map { "  \($0)   # rack 1" }.joined(separator: "\n"), mode: 0o644)
        let result = try fakes.run("up", ["--head", "10.0.0.1", "--workers", fakes.workersFile, "--port", "7000",
                                          "--num-cpus", "2", "--parallel", "3"])
        #expect(result.succeeded, "\(result)")
        let rayCalls = fakes.lines("ray-calls")
        #expect(rayCalls.first == "10.0.0.1 start --head --port 7000 --node-ip-address 10.0.0.1 --num-cpus 2")
        let token = try #require(fakes.contents("home/10.0.0.1/head-token"))
        for worker in workers {
            let copy = "home/\(worker)/.ray/cluster-token-10.0.0.1-7000"
            #expect(fakes.contents(copy) == token)
            let mode = try FileManager.default.attributesOfItem(atPath: fakes.directory + "/" + copy)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let path = fakes.directory + "/" + copy
            #expect(rayCalls.contains("\(worker) start --address 10.0.0.1:7000 --token-file \(path) --node-ip-address \(worker) --num-cpus 2"))
            #expect(result.output.contains("[\(worker)] token mode 600"))
        }
        #expect(rayCalls.count == 1 + workers.count)
        // The token travels on stdin only: never on a command line.
        let secret = token.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!fakes.lines("ssh-calls").contains { $0.contains(secret) })
        #expect(!result.output.contains(secret) && !result.error.contains(secret))
    }

    @Test func upNamesEveryWorkerThatFailedAndStartsTheRest() throws {
        let fakes = try Fakes()
        try fakes.write(fakes.workersFile, "10.0.0.2\n10.0.0.3\n10.0.0.4\n10.0.0.5\n", mode: 0o644)
        try fakes.write(fakes.directory + "/unreachable", "10.0.0.3", mode: 0o644)
        try fakes.write(fakes.directory + "/failing", "10.0.0.5", mode: 0o644)
        let result = try fakes.run("up", ["--head", "10.0.0.1", "--workers", fakes.workersFile])
        #expect(result.status == 1, "\(result)")
        #expect(result.error.contains("failed to start on 2 of 4 worker(s): 10.0.0.3 10.0.0.5"), "\(result)")
        #expect(result.output.contains("[10.0.0.3] ssh: connect to host 10.0.0.3 port 22: Connection refused"))
        #expect(result.output.contains("[10.0.0.5] cannot reach the head"))
        let started = fakes.lines("ray-calls").filter { $0.contains("start --address") }.map { $0.split(separator: " ")[0] }
        #expect(Set(started) == ["10.0.0.2", "10.0.0.4", "10.0.0.5"])
    }

    @Test func aHeadThatFailsStopsTheLaunch() throws {
        let fakes = try Fakes()
        try fakes.write(fakes.workersFile, "10.0.0.2\n", mode: 0o644)
        try fakes.write(fakes.directory + "/failing", "10.0.0.1", mode: 0o644)
        let result = try fakes.run("up", ["--head", "10.0.0.1", "--workers", fakes.workersFile])
        #expect(result.status == 1)
        #expect(result.error.contains("the head failed to start on 10.0.0.1"))
        #expect(fakes.lines("ssh-calls").count == 1)
    }

    @Test func downStopsEveryWorkerBeforeTheHeadAndRemovesTheirToken() throws {
        let fakes = try Fakes()
        let workers = (2...5).map { "10.0.0.\($0)" }
        try fakes.write(fakes.workersFile, workers.joined(separator: "\n"), mode: 0o644)
        #expect(try fakes.run("up", ["--head", "10.0.0.1", "--workers", fakes.workersFile]).succeeded)
        try fakes.write(fakes.directory + "/unreachable", "10.0.0.4", mode: 0o644)
        try FileManager.default.removeItem(atPath: fakes.directory + "/ray-calls")
        let result = try fakes.run("down", ["--head", "10.0.0.1", "--workers", fakes.workersFile, "--force"])
        #expect(result.status == 1, "\(result)")
        #expect(result.error.contains("ray stop failed on: 10.0.0.4"))
        let stops = fakes.lines("ray-calls")
        #expect(stops.allSatisfy { $0.hasSuffix(" stop --force") })
        #expect(stops.last?.hasPrefix("10.0.0.1 ") == true)
        #expect(Set(stops.map { $0.split(separator: " ")[0] }) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.5"])
        for worker in workers where worker != "10.0.0.4" {
            #expect(fakes.contents("home/\(worker)/.ray/cluster-token-10.0.0.1-6379") == nil)
        }
    }

    @Test func theSSHCommandComesFromTheEnvironmentAndSplitsOnSpaces() throws {
        let fakes = try Fakes()
        try fakes.write(fakes.workersFile, "", mode: 0o644)
        let wrapper = fakes.directory + "/ssh-with-options"
        try fakes.write(wrapper, "#!/bin/sh\n[ \"$1\" = -o ] && [ \"$2\" = BatchMode=yes ] || exit 9\nshift 2\nexec \"$FAKE/fake-ssh\" \"$@\"")
        let result = try runProgram("/bin/bash", [Fakes.script, "up", "--head", "10.0.0.1", "--workers", fakes.workersFile, "--ray", fakes.ray],
                                    environment: ["FAKE": fakes.directory, "RAY_CLUSTER_SSH": "\(wrapper) -o BatchMode=yes"])
        #expect(result.succeeded, "\(result)")
        #expect(result.output.contains("no workers"))
        #expect(fakes.lines("ray-calls").count == 1)
    }
}
}
