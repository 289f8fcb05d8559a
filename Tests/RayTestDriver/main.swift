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

let mode = CommandLine.arguments.dropFirst().first ?? "hold"
let ray = try await Ray.start(RayOptions(cpus: 1))
print("session \(ray.sessionDirectory)")
print("services \(ray.serviceProcessIDs.map(String.init).joined(separator: " "))")
switch mode {
case "print":
    let pid = try await ray.get(try Shout.remote("hello"))
    print("worker pid \(pid)")
    await ray.shutdown()
case "crash":
    _ = try await ray.get(try Shout.remote("before the crash"))
    fatalError("the test driver crashes on purpose")
default:
    print("ready")
    while true { try await Task.sleep(for: .seconds(60)) }
}
