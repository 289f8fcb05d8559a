import Testing
@testable import RayCore

@Suite struct ResourcesTests {
    @Test func coversComparesEveryQuantity() {
        let node = Resources(cpus: 4, gpus: 1, custom: ["disk": 2])
        #expect(node.covers(Resources(cpus: 4)))
        #expect(node.covers(Resources(cpus: 1, gpus: 1, custom: ["disk": 2])))
        #expect(!node.covers(Resources(gpus: 2)))
        #expect(!node.covers(Resources(custom: ["tpu": 1])))
    }

    @Test func zeroQuantitiesDoNotChangeIdentity() {
        #expect(Resources(cpus: 1, gpus: 0) == Resources(cpus: 1))
        var r = Resources(cpus: 2)
        r.subtract(Resources(cpus: 2))
        #expect(r == Resources())
        r.add(Resources(gpus: 1))
        #expect(r == Resources(gpus: 1))
    }

    @Test func descriptionListsNamesInOrder() {
        #expect(Resources(cpus: 2, gpus: 1, custom: ["a": 0.5]).description == "{CPU: 2, GPU: 1, a: 0.5}")
    }

    /// Found by Fuzz/MessageFuzz.swift: a decoded quantity of 1e300 made `description` (which the
    /// raylet prints when a task is infeasible) convert it to `Int` and trap.
    @Test func descriptionOfQuantitiesBeyondIntDoesNotTrap() {
        #expect(Resources(cpus: 1e300).description == "{CPU: 1e+300}")
        #expect(Resources(custom: ["memory": 0x1p63]).description == "{memory: 9.223372036854776e+18}")
        var available = Resources(cpus: 1)
        available[Resources.cpu] = -1e300
        #expect(available.description == "{CPU: -1e+300}")
        #expect(Resources(custom: ["memory": 0x1p53]).description == "{memory: 9007199254740992}")
    }
}

@Suite struct ResourceDefaultTests {
    @Test func aRequestThatLeavesOutCPUsGetsTheDefaultAndAnExplicitZeroStays() {
        #expect(Resources(gpus: 1).defaultingCPUs(to: 1) == Resources(cpus: 1, gpus: 1))
        #expect(Resources(custom: ["disk": 1]).defaultingCPUs(to: 1) == Resources(cpus: 1, custom: ["disk": 1]))
        #expect(Resources(cpus: 0, gpus: 1).defaultingCPUs(to: 1) == Resources(cpus: 0, gpus: 1))
        #expect(Resources(cpus: 2).defaultingCPUs(to: 1).cpus == 2)
        // How it was written does not change what it asks for.
        #expect(Resources(gpus: 1) == Resources(cpus: 0, gpus: 1))
        #expect(Set([Resources(gpus: 1), Resources(cpus: 0, gpus: 1)]).count == 1)
    }
}
