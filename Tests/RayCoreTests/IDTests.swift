import Testing
@testable import RayCore

@Suite struct IDTests {
    @Test func objectIDRoundTripsThroughBytesAndHex() {
        let task = TaskID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        let id = ObjectID.returnValue(of: task, position: 2)
        #expect(id.bytes.count == 20)
        #expect(ObjectID(bytes: id.bytes) == id)
        #expect(id.hex.count == 40)
        #expect(id.hex == "0123456789abcdeffedcba987654321000000003")
        #expect(ObjectID(hex: id.hex) == id)
        #expect(ObjectID(hex: "xyz") == nil)
        #expect(ObjectID(bytes: [1, 2, 3]) == nil)
    }

    @Test func derivedIDsAreDeterministicWithASeed() {
        let a = TaskID.driverRoot(job: JobID(3), seed: 42)
        let b = TaskID.driverRoot(job: JobID(3), seed: 42)
        #expect(a == b)
        #expect(a.child(1) == b.child(1))
        #expect(a.child(1) != a.child(2))
        #expect(TaskID.driverRoot(job: JobID(3), seed: 43) != a)
        #expect(TaskID.driverRoot(job: JobID(4), seed: 42) != a)
    }

    @Test func derivedIDsDoNotCollide() {
        let root = TaskID.driverRoot(job: JobID(1), seed: 7)
        var seen = Set<TaskID>()
        for i in 1...10_000 { seen.insert(root.child(UInt64(i))) }
        for i in 1...100 { seen.insert(root.child(1).child(UInt64(i))) }
        #expect(seen.count == 10_100)
    }

    @Test func putAndReturnIndicesAreDistinct() {
        let task = TaskID(high: 1, low: 2)
        #expect(ObjectID.put(by: task, counter: 1) != ObjectID.returnValue(of: task, position: 0))
        #expect(ObjectID.put(by: task, counter: 1).index & 0x8000_0000 != 0)
    }
}
