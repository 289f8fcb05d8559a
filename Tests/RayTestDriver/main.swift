import Distributed
import Foundation
import Ray

// Started by the integration tests as a separate driver program. It starts a local cluster,
// reports the process IDs of the cluster's services, then does what the first argument says.

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
