import Foundation
import Ray

// A walk through the seed's Tutorial on a local cluster that this program starts and stops.
// Worker processes are this executable started again; they never run this file's code.

func section(_ title: String) { print("\n== \(title)") }

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

let started = ContinuousClock.now
let ray = try await Ray.start()
print("Started a local cluster in \(ContinuousClock.now - started) (node \(ray.nodeID))")

section("Put and get")
let xID = try ray.put([1, 2, 3])
print("ray.put([1, 2, 3]) -> \(xID)")
print("ray.get ->", try await ray.get(xID))
let resultIDs = try (0..<10).map { try ray.put($0) }
print("ray.get of ten puts ->", try await ray.get(resultIDs))

section("Remote functions")
print("Add2.remote(1, 2) ->", try await ray.get(try Add2.remote(1, 2)))
print("the same with a ref argument ->", try await ray.get(try Add2.remote(1, try ray.put(2))))
let clock = ContinuousClock()
let parallel = try await clock.measure {
    _ = try await ray.get(try (0..<4).map { _ in try Sleeper.remote(0.25) })
}
print("four 0.25 s tasks took \(parallel) on \(ProcessInfo.processInfo.activeProcessorCount) cores")

section("Dependencies")
let x = try Increment.remote(0)
let y = try Increment.remote(x)
let z = try Increment.remote(y)
print("f(f(f(0))) ->", try await ray.get(z))

section("Tree reduce of 100 arrays")
var data = try (0..<100).map { _ in try GenerateData.remote() }
while data.count > 1 {
    let first = data.removeFirst()
    let second = data.removeFirst()
    data.append(try AggregateData.remote(first, second))
}
let total = try await ray.get(data[0])
print("sum of 100 arrays: \(total.count) elements, mean \(total.reduce(0, +) / Double(total.count))")

section("Remote functions within remote functions")
let results = try (0..<5).map { try RunExperiment.remote($0) }
print("experiments ->", try await ray.get(results))

section("Waiting for a subset of tasks")
let durations = try (0..<3).map { try Sleeper.remote(Double($0) * 0.1) }
let (ready, remaining) = try await ray.wait(durations, numReturns: 2)
print("wait(numReturns: 2) -> \(ready.count) ready, \(remaining.count) remaining")
var pending = try (0..<5).map { _ in try Sleeper.remote(0.01) }
var finished = 0
for _ in 0..<20 {
    let (done, rest) = try await ray.wait(pending)
    finished += try await ray.get(done).count
    pending = rest + [try Sleeper.remote(0.01)]
}
print("processed \(finished) results as they finished, \(pending.count) still running")

section("Multiple return values")
let (a, b, c) = try ReturnMultiple.remote().split()
print("ReturnMultiple ->", try await ray.get(a), try await ray.get(b), try await ray.get(c))

section("Actors")
var counters: [ActorHandle<Counter>] = []
for _ in 0..<10 { counters.append(try await ray.createActor(Counter.self)) }
var firstIncrements: [ObjectRef<Int>] = []
for counter in counters { firstIncrements.append(try await counter.remote { try await $0.increment() }) }
print("ten counters incremented once ->", try await ray.get(firstIncrements))
var fiveMore: [ObjectRef<Int>] = []
for _ in 0..<5 { fiveMore.append(try await counters[0].remote { try await $0.increment() }) }
print("the first incremented five more times ->", try await ray.get(fiveMore))
counters.removeAll()  // the counters' processes end with their last handles

section("Simulation environments as actors")
let environments = try await [1, 2].asyncMap { try await ray.createActor(CartPoleEnvironment.self, arguments: UInt64($0)) }
for (index, environment) in environments.enumerated() {
    let cartPole = try environment.actor
    _ = try await cartPole.reset()
    var totalReward = 0.0
    var action = 0
    while true {
        let result = try await cartPole.step(action)
        totalReward += result.reward
        if result.done { break }
        action = result.observation[2] + 0.5 * result.observation[3] > 0 ? 1 : 0  // push toward the falling side
    }
    print("environment \(index): balanced the pole for \(Int(totalReward)) steps")
}

section("Errors")
do {
    _ = try await ray.get(try FailingTask.remote())
} catch let error as TaskError {
    print("get rethrew: \(error)")
}
try await Task.sleep(for: .milliseconds(100))
print("errorInfo() lists \(try await ray.errorInfo().count) error(s)")

await ray.shutdown()
print("\nShut down. Tour finished in \(ContinuousClock.now - started).")
