import Distributed
import Foundation
import Ray

// Started by the integration tests as a separate driver program. It starts a local cluster,
// reports the process IDs of the cluster's services, then does what the first argument says.
// `tcp-serve PORT` and `tcp-probe HOST PORT` start no cluster (see TCPProbe.swift); `node-ips N`
// `transfer MB HERE`, `shipped`, `named-counter create|use NAME RESOURCE` and `soak SECONDS` join the cluster that
// RAY_ADDRESS names (see ClusterChecks.swift).

struct Shout: RemoteFunction1 {
    static func run(_ text: String) -> Int32 {
        print("worker says \(text)")
        return getpid()
    }
}

distributed actor Holder: RayActor {
    typealias ActorSystem = RayActorSystem
    init(actorSystem: RayActorSystem, arguments: NoArguments) { self.actorSystem = actorSystem }
    distributed func pid() -> Int32 { getpid() }
}

/// Writes a line to stdout unbuffered: the test reads it while this program keeps running.
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let mode = CommandLine.arguments.dropFirst().first ?? "hold"
// Plain TCP, no cluster: the multi-host tests check that their network namespaces can reach each other.
switch mode {
case "tcp-serve":
    try serveTCP(port: UInt16(CommandLine.arguments[2])!)
case "tcp-probe":
    try probeTCP(host: CommandLine.arguments[2], port: UInt16(CommandLine.arguments[3])!)
    exit(0)
// A cluster named by RAY_ADDRESS, not a local one (see ClusterChecks.swift).
case "node-ips", "transfer", "shipped", "named-counter", "soak":
    do {
        if mode == "soak" {
            try await soak(seconds: Double(CommandLine.arguments[2])!)
        } else if mode == "named-counter" {
            try await useNamedCounter(CommandLine.arguments[2], name: CommandLine.arguments[3], place: CommandLine.arguments[4])
        } else if mode == "node-ips" {
            try await reportNodeIPAddresses(tasks: Int(CommandLine.arguments[2])!)
        } else if mode == "shipped" {
            try await reportProgramOfRemoteTask()
        } else {
            try await transferBetweenHosts(megabytes: Int(CommandLine.arguments[2])!, here: CommandLine.arguments[3])
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("\(mode) failed: \(error)\n".utf8))
        exit(1)
    }
default:
    break
}
let ray = try await Ray.start(RayOptions(cpus: 1))
report("session \(ray.sessionDirectory)")
report("services \(ray.serviceProcessIDs.map(String.init).joined(separator: " "))")
switch mode {
case "print":
    let pid = try await ray.get(try Shout.remote("hello"))
    report("worker pid \(pid)")
    await ray.shutdown()
case "crash":
    _ = try await ray.get(try Shout.remote("before the crash"))
    fatalError("the test driver crashes on purpose")
case "actor":
    let holder = try await ray.createActor(Holder.self)
    report("actor pid \(try await holder.actor.pid())")
    report("ready")
    while true { try await Task.sleep(for: .seconds(60)) }
default:
    report("ready")
    while true { try await Task.sleep(for: .seconds(60)) }
}
