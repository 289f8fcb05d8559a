import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct ActorTests {
        @Test func theSeedsCounterExample() async throws {
            try await withCluster { ray in
                var counters: [ActorHandle<Counter>] = []
                for _ in 0..<10 { counters.append(try await ray.createActor(Counter.self)) }
                var ones: [ObjectRef<Int>] = []
                for counter in counters { ones.append(try await counter.remote { try await $0.increment() }) }
                #expect(try await ray.get(ones) == Array(repeating: 1, count: 10))
                var more: [ObjectRef<Int>] = []
                for _ in 0..<5 { more.append(try await counters[0].remote { try await $0.increment() }) }
                #expect(try await ray.get(more) == [2, 3, 4, 5, 6])
                var pids: [Int32] = []
                for counter in counters { pids.append(try await counter.actor.pid()) }
                #expect(Set(pids).count == 10)
                #expect(!pids.contains(getpid()))
            }
        }

        @Test func callsFromOneCallerRunInOrder() async throws {
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                var refs: [ObjectRef<Int>] = []
                for tag in 0..<50 { refs.append(try await counter.remote { try await $0.add(1, tag: tag) }) }
                #expect(try await ray.get(refs) == Array(1...50))
                #expect(try await counter.actor.history() == Array(0..<50))
            }
        }

        @Test @MainActor func callsRecordedFromTheMainActorKeepTheirOrder() async throws {
            // `remote` runs the method's thunk on the calling thread here (CallerThreadExecutor).
            // No `withCluster`: its body would leave the main actor.
            let ray = try await Ray.start(RayOptions(cpus: 2))
            do {
                let counter = try await ray.createActor(Counter.self)
                var refs: [ObjectRef<Int>] = []
                for tag in 0..<200 { refs.append(try await counter.remote { try await $0.add(1, tag: tag) }) }
                #expect(try await ray.get(refs) == Array(1...200))
                #expect(try await ray.get(counter.remote { try await $0.add(1, tag: 200) }) == 201)
            } catch {
                Issue.record(error)
            }
            await ray.shutdown()
        }

        @Test func callsOnAnActorInThisProcessRunAndReturnRefs() async throws {
            // In local mode the actor lives in the driver; calls still go through its mailbox in
            // order, the first (sent before the actor existed) included.
            try await withCluster(RayOptions(mode: .local)) { ray in
                let counter = try await ray.createActor(Counter.self)
                var refs: [ObjectRef<Int>] = []
                for tag in 0..<20 { refs.append(try await counter.remote { try await $0.add(1, tag: tag) }) }
                #expect(try await ray.get(refs) == Array(1...20))
            }
        }

        @Test func handlesTravelToTasksAndOtherActors() async throws {
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                let viaTask = try IncrementThrough.remote(counter)
                #expect(try await ray.get(viaTask) == 1)
                let accumulator = try await ray.createActor(Accumulator.self, arguments: 100)
                #expect(try await accumulator.actor.absorb(counter) == 102)
                #expect(try await counter.actor.increment() == 3)
            }
        }

        @Test func resultsReachTasksAndLargeOnesComeThroughTheStore() async throws {
            // Calls and answers go straight between caller and actor; the results must still be
            // in the node's store for tasks that take them, large ones as zero-copy views.
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                let one = try await counter.remote { try await $0.increment() }
                #expect(try await ray.get(Double2.remote(one)) == 2)
                let large = try await counter.remote { try await $0.floats(300_000) }
                let view = try await ray.get(large)
                #expect(view.count == 300_000 && view[299_999] == 299_999)
                #expect(try await ray.get(SumFloats.remote(large)) == Double(299_999 * 300_000 / 2))
            }
        }

        @Test func refsInsideCallArgumentsLiveUntilTheCallRan() async throws {
            // The store keeps 1/16 of its 64 MiB unreferenced; the 16 MiB array would be evicted
            // as soon as nothing referred to it.
            try await withCluster(RayOptions(cpus: 2, objectStoreMemory: 64 << 20)) { ray in
                let counter = try await ray.createActor(Counter.self)
                var array: ObjectRef<[Float]>? = try ray.put([Float](repeating: 1, count: 4 << 20))
                let sum = try await counter.remote { [array] in try await $0.sumLater(array!, nap: 0.3) }
                array = nil
                #expect(try await ray.get(sum) == Double(4 << 20))
            }
        }

        @Test func waitSeesActorResultsAsTheyArrive() async throws {
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                let slow = try await counter.remote { try await $0.nap(0.3) }
                let quick = try await counter.remote { try await $0.increment() }
                let first = try await ray.wait([slow, quick], numReturns: 1, timeout: .seconds(10))
                #expect(first.ready == [slow] && first.remaining == [quick])
                let all = try await ray.wait([quick, slow], numReturns: 2, timeout: .seconds(10))
                #expect(all.ready == [quick, slow])
                let fromTask = try await ray.get(WaitForAll.remote([try await counter.remote { try await $0.increment() }]))
                #expect(fromTask == 1)
            }
        }

        @Test func thousandsOfCallsFromTasksAndActorsDoNotStall() async throws {
            // More calls and answers than the sockets between the two processes buffer, from a
            // task and, several times, from another actor.
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                #expect(try await ray.get(IncrementMany.remote(counter, 5000)) == 5000)
                let relay = try await ray.createActor(Accumulator.self, arguments: 0)
                for round in 1...3 {
                    #expect(try await relay.actor.incrementMany(counter, 5000) == 5000 * (round + 1))
                }
            }
        }

        @Test func genericAndVoidMethodsRun() async throws {
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                #expect(try await counter.actor.echo(41) == 41)
                #expect(try await ray.get(counter.remote { try await $0.echo("forty-one") }) == "forty-one")
                _ = try await counter.actor.increment()
                _ = try await ray.get(counter.remote { try await $0.reset() })
                #expect(try await counter.actor.increment() == 1)
            }
        }

        @Test func aThrowingMethodKeepsTheActorAndItsState() async throws {
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                _ = try await counter.actor.increment()
                let failed = try await counter.remote { try await $0.fail("no reason") }
                let error = try await #require(throws: TaskError.self) { try await ray.get(failed) }
                #expect(error.functionName.contains("Counter"))
                #expect(error.functionName.contains("fail"))
                #expect(error.message.contains("failed because no reason"))
                #expect(try await counter.actor.increment() == 2)
            }
        }

        @Test func gpuActorsSeeTheirGPUsAndTooManyFailClearly() async throws {
            try await withCluster(RayOptions(cpus: 2, gpus: 1)) { ray in
                let holder = try await ray.createActor(GPUHolder.self)
                let report = try await holder.actor.report()
                #expect(report.ids == [0])
                #expect(report.visibleDevices == "0")
                let greedy = try await ray.createActor(GPUHolder.self, options: ActorOptions(resources: Resources(gpus: 2)))
                let error = try await #require(throws: TaskError.self) { try await ray.ready(greedy) }
                #expect(error.message.contains("GPU: needs 2, the cluster has 1"))
                await #expect(throws: TaskError.self) { try await greedy.actor.report() }
                // Killing the first frees its GPU for a new one.
                try ray.kill(holder)
                let next = try await ray.createActor(GPUHolder.self)
                #expect(try await next.actor.report().ids == [0])
            }
        }

        @Test func killedActorsFailTheirCalls() async throws {
            try await withCluster { ray in
                let counter = try await ray.createActor(Counter.self)
                let pid = try await counter.actor.pid()
                let slow = try await counter.remote { try await $0.nap(30) }
                try ray.kill(counter)
                let error = try await #require(throws: TaskError.self) { try await ray.get(slow) }
                #expect(error.kind == .actorDied)
                // It names the call, the actor's class, its ID and its pid, and says why, once.
                #expect(error.description == "Counter.nap(_:) could not run: actor Counter \(counter.id.taskID.hex) died: its worker process (pid \(pid)) was killed or exited")
                #expect(await eventually { !processIsAlive(pid) })
                await #expect(throws: TaskError.self) { try await counter.actor.increment() }
            }
        }

        @Test func aSIGKILLedActorFailsPendingCallsAndFreesItsResources() async throws {
            try await withCluster(RayOptions(cpus: 2, gpus: 1)) { ray in
                let holder = try await ray.createActor(GPUHolder.self)
                _ = try await holder.actor.report()
                let counter = try await ray.createActor(Counter.self)
                let pid = try await counter.actor.pid()
                let pending = try await counter.remote { try await $0.nap(30) }
                kill(pid, SIGKILL)
                let error = try await #require(throws: TaskError.self) { try await ray.get(pending) }
                #expect(error.description.contains("actor Counter \(counter.id.taskID.hex) died: its worker process (pid \(pid)) was killed"))
                let replacement = try await ray.createActor(Counter.self)
                #expect(try await replacement.actor.pid() != pid)
                try ray.kill(holder)
                let freed = try await ray.createActor(GPUHolder.self)
                #expect(try await freed.actor.report().ids == [0])
            }
        }

        @Test func anActorEndsWhenItsLastHandleIsGone() async throws {
            try await withCluster { ray in
                var counter: ActorHandle<Counter>? = try await ray.createActor(Counter.self)
                let pid = try await counter!.actor.pid()
                #expect(processIsAlive(pid))
                counter = nil
                #expect(await eventually { !processIsAlive(pid) })
            }
        }

        @Test func anActorReturnedInATasksResultLivesOnAtTheCaller() async throws {
            try await withCluster { ray in
                for round in 0..<20 {
                    let counter = try await ray.get(try MakeCounter.remote(round))
                    #expect(try await counter.actor.increment() == round + 1)
                }
            }
        }

        @Test func namedDetachedActorsOutliveTheirCreator() async throws {
            try await withCluster { ray in
                #expect(try await ray.get(MakeDetachedCounter.remote("shared-counter")) == 1)
                let found: ActorHandle<Counter> = try await ray.actor(named: "shared-counter")
                #expect(try await found.actor.increment() == 2)
                #expect(try await ray.get(CallNamedCounter.remote("shared-counter")) == 3)
                await #expect(throws: RayError.self) {
                    _ = try await ray.createActor(Counter.self, options: ActorOptions(name: "shared-counter"))
                }
                await #expect(throws: RayError.self) { _ = try await ray.actor(named: "nobody", as: Counter.self) }
            }
        }

        @Test func concurrentActorsOverlapAsyncCalls() async throws {
            try await withCluster { ray in
                let overlapper = try await ray.createActor(Overlapper.self)
                var refs: [ObjectRef<Int>] = []
                for _ in 0..<4 { refs.append(try await overlapper.remote { try await $0.work() }) }
                _ = try await ray.get(refs)
                #expect(try await overlapper.actor.peak() >= 2)
            }
        }
    }
}
