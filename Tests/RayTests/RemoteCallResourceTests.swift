import RayCore
import Testing
@testable import Ray

struct NeedsAGPU: RemoteFunction0 {
    static var resources: Resources { Resources(gpus: 1) }
    static func run() -> Int { 1 }
}

struct NeedsNoCPU: RemoteFunction0 {
    static var resources: Resources { Resources(cpus: 0, custom: ["disk": 1]) }
    static func run() -> Int { 1 }
}

@Suite struct RemoteCallResourceTests {
    @Test func tasksKeepTheirDefaultCPUWhenTheyAskForGPUsAsInRay() {
        #expect(RemoteCall<NeedsAGPU>().resources == Resources(cpus: 1, gpus: 1))
        #expect(NeedsAGPU.options(resources: Resources(gpus: 2)).resources == Resources(cpus: 1, gpus: 2))
        #expect(RemoteCall<NeedsNoCPU>().resources == Resources(custom: ["disk": 1]))
        #expect(NeedsAGPU.options(resources: Resources(cpus: 0.5, gpus: 1)).resources.cpus == 0.5)
    }
}
