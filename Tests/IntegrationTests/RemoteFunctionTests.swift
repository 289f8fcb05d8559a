import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct RemoteFunctionTests {
        @Test func remoteCallsOfEveryArityAcceptValuesAndRefs() async throws {
            try await withCluster { ray in
                #expect(try await ray.get(Constant.remote()) == "constant")
                #expect(try await ray.get(Double2.remote(21)) == 42)
                #expect(try await ray.get(Sum3.remote(1, ray.put(2), 3)) == 6)
                let refs = try ["a", "b", "c"].map { try ray.put($0) }
                #expect(try await ray.get(Concat6.remote(refs[0], "1", refs[1], "2", refs[2], "3")) == "a1b2c3")
            }
        }

        @Test func refsChainTasksIntoDependencies() async throws {
            try await withCluster { ray in
                var x = try Double2.remote(1)
                for _ in 0..<5 { x = try Double2.remote(x) }
                #expect(try await ray.get(x) == 64)
            }
        }

        @Test func aBurstOfTasksAtStartRunsWithoutLosingAWorker() async throws {
            // Workers get tasks queued behind their running one as soon as they run one; a worker
            // must still receive its registration answer before any task.
            for _ in 0..<3 {
                try await withCluster { ray in
                    let refs = try (0..<2000).map { try Double2.remote($0) }
                    let (ready, _) = try await ray.wait(refs, numReturns: refs.count, timeout: .seconds(60))
                    #expect(ready.count == refs.count)
                    #expect(try await ray.get(refs) == (0..<2000).map { $0 * 2 })
                    #expect(try await ray.errorInfo().isEmpty)
                }
            }
        }

        @Test func parentTasksWaitingOnChildrenDoNotDeadlock() async throws {
            // More waiting parents than CPUs: a parent queued behind a blocked one is handed back.
            try await withCluster { ray in
                let refs = try (0..<40).map { _ in try NestedDepth.remote(3) }
                let (ready, _) = try await ray.wait(refs, numReturns: refs.count, timeout: .seconds(60))
                #expect(ready.count == refs.count)
                #expect(try await ray.get(refs) == Array(repeating: 3, count: 40))
            }
        }

        @Test func shortTasksDoNotWaitBehindALongOneWhileACPUIsFree() async throws {
            try await withCluster { ray in
                let long = try Napper.remote(3)
                let shorts = try (0..<8).map { try Double2.remote($0) }
                let (ready, _) = try await ray.wait(shorts, numReturns: shorts.count)
                #expect(ready.count == shorts.count)
                #expect(try await ray.wait([long], numReturns: 1, timeout: .zero).ready.isEmpty)
                #expect(try await ray.get(long) == 3)
            }
        }

        @Test func tasksRunInReusedWorkerProcesses() async throws {
            try await withCluster(RayOptions(cpus: 1)) { ray in
                let first = try await ray.get(try WorkerPID.remote())
                let second = try await ray.get(try WorkerPID.remote())
                #expect(first != getpid())
                #expect(first == second)
            }
        }

        @Test func idleWorkersAreReaped() async throws {
            try await withCluster(RayOptions(cpus: 1, idleWorkerTimeout: 0.3)) { ray in
                let pid = try await ray.get(try WorkerPID.remote())
                #expect(processIsAlive(pid))
                #expect(await eventually { !processIsAlive(pid) })
                #expect(try await ray.get(Double2.remote(2)) == 4)
            }
        }

        @Test func nestedRemoteCallsGiveTheSeedsExperiments() async throws {
            try await withCluster { ray in
                let results = try (0..<5).map { try RunExperiment.remote($0) }
                #expect(try await ray.get(results) == [45, 55, 65, 75, 85])
            }
        }

        @Test func aTaskWaitingOnSubtasksDoesNotDeadlockOneCPU() async throws {
            try await withCluster(RayOptions(cpus: 1)) { ray in
                let experiment = try RunExperiment.remote(1)
                let nested = try NestedDepth.remote(4)
                #expect(try await ray.get(experiment) == 55)
                #expect(try await ray.get(nested) == 4)
            }
        }

        @Test func severalReturnValuesAreSeparateObjects() async throws {
            try await withCluster { ray in
                let bundle = try SplitPair.remote("ray")
                let (text, count) = bundle.split()
                #expect(text.id != count.id)
                #expect(try await ray.get(text) == "RAY")
                #expect(try await ray.get(count) == 3)
                let whole = try await ray.get(bundle)
                #expect(whole.first == "RAY" && whole.second == 3)
            }
        }

        @Test func largePlainArgumentsGoThroughTheStore() async throws {
            try await withCluster { ray in
                let big = [Double](repeating: 1.5, count: 200_000)
                let counted = try CountElements.remote(big)
                #expect(try await ray.get(counted) == 200_000)
            }
        }

        @Test func refsInsideValuesAndPutsInsideTasks() async throws {
            try await withCluster { ray in
                let holder = Holder(name: "h", ref: try ray.put([1, 2, 3, 4]))
                #expect(try await ray.get(ReadHolder.remote(holder)) == 10)
                let inner = try await ray.get(try PutInsideTask.remote("made in a worker"))
                #expect(try await ray.get(inner) == "made in a worker")
            }
        }

        @Test func workerOutputGoesToLogFilesWhenRedirected() async throws {
            try await withCluster(RayOptions(cpus: 1, redirectOutput: true)) { ray in
                let said = try Say.remote("redirected line 42")
                #expect(try await ray.get(said))
                let logs = ray.sessionDirectory + "/logs"
                #expect(await eventually {
                    let files = (try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []
                    return files.filter { $0.hasPrefix("worker-") && $0.hasSuffix(".out") }.contains { file in
                        ((try? String(contentsOfFile: "\(logs)/\(file)", encoding: .utf8)) ?? "").contains("redirected line 42")
                    }
                })
                try? FileManager.default.removeItem(atPath: ray.sessionDirectory)
            }
        }
    }
}
