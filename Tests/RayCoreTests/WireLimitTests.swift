import Testing
@testable import RayCore

/// Counts and sizes beyond `WireLimits` are refused while the frame is read, before anything is
/// allocated for them or a service acts on them (issue 9, defect 13).
@Suite struct WireLimitTests {
    static let task = TaskID(high: 9, low: 8)
    static let object = ObjectID(task: task, index: 1)

    /// Decodes the body `build` writes.
    static func decode(_ build: (inout WireWriter) -> Void) throws -> Message {
        var w = WireWriter()
        build(&w)
        return try w.bytes.withUnsafeBytes { try Message.read($0) }
    }

    /// The field named by the `outOfRange` error that decoding the body `build` writes throws.
    static func refusedField(_ build: (inout WireWriter) -> Void) -> String? {
        do {
            _ = try decode(build)
            return nil
        } catch {
            guard case let .outOfRange(field, _, _) = error as? WireError else { return "other error: \(error)" }
            return field
        }
    }

    static func spec(returnCount: Int) -> TaskSpec {
        TaskSpec(taskID: task, jobID: JobID(1), parentTaskID: .nil_, functionName: "f", displayName: "f", arguments: [],
                 returnCount: returnCount, resources: Resources())
    }

    static func writeSpec(_ w: inout WireWriter, returnCount: UInt32) {
        w.taskID(task)
        w.u32(1)
        w.taskID(.nil_)
        w.string("f")
        w.string("f")
        w.u32(0)  // arguments
        w.u32(returnCount)
        w.u32(0)  // resources
        w.u8(0)  // no actor
    }

    // MARK: Task return counts

    /// The frame of defect 13: a small `submitTask` whose return count made the raylet build
    /// 2^32-1 return IDs (100 GB).
    @Test func submitTaskWithAHugeReturnCountIsRefused() {
        let frame = Message.submitTask(Self.spec(returnCount: Int(UInt32.max))).frame
        #expect(frame.count - 4 == 60)
        let error = #expect(throws: WireError.self) { try frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) } }
        #expect(error?.description == "malformed frame: task return count 4294967295 exceeds the limit of 1024")
    }

    @Test func returnCountsUpToTheLimitAreAccepted() throws {
        for count in [0, 1, 2, 3, WireLimits.maxReturnCount] {
            let message = Message.submitTask(Self.spec(returnCount: count))
            #expect(try message.frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) } == message)
        }
        #expect(Self.refusedField { w in
            w.u8(MessageTag.submitTask.rawValue)
            Self.writeSpec(&w, returnCount: UInt32(WireLimits.maxReturnCount + 1))
        } == "task return count")
    }

    @Test func executeTaskChecksTheReturnCountToo() {
        #expect(Self.refusedField { w in
            w.u8(MessageTag.executeTask.rawValue)
            Self.writeSpec(&w, returnCount: 1 << 20)
            w.u32(0)  // argument locations
            w.u32(0)  // GPU IDs
        } == "task return count")
    }

    // MARK: Sizes and offsets in the arena

    /// -1 on the wire as a u64: `Int(truncatingIfNeeded:)` made it a negative size.
    static let negative = UInt64(bitPattern: -1)

    @Test(arguments: [negative, 1 << 62, UInt64(WireLimits.maxArenaBytes) + 1])
    func createObjectRefusesNegativeAndHugeSizes(size: UInt64) {
        #expect(Self.refusedField { w in
            w.u8(MessageTag.createObject.rawValue)
            w.u64(7)
            w.objectID(Self.object)
            w.u64(size)
        } == "object size")
    }

    @Test func createObjectAcceptsSizesUpToTheLimit() throws {
        for size in [0, 1, WireLimits.maxArenaBytes] {
            let message = Message.createObject(request: 7, id: Self.object, size: size)
            #expect(try message.frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) } == message)
        }
    }

    @Test func createReplyRefusesANegativeOffset() {
        #expect(Self.refusedField { w in
            w.u8(MessageTag.createReply.rawValue)
            w.u64(7)
            w.u64(Self.negative)
            w.u8(0)
        } == "object offset")
    }

    @Test(arguments: [(negative, 8), (64, negative), (1 << 62, 8), (64, 1 << 62)] as [(UInt64, UInt64)])
    func objectLocationsRefuseNegativeAndHugeOffsetsAndSizes(offset: UInt64, size: UInt64) {
        let field = offset > UInt64(WireLimits.maxArenaBytes) ? "object offset" : "object size"
        #expect(Self.refusedField { w in
            w.u8(MessageTag.objectsReply.rawValue)
            w.u64(9)
            w.u32(1)
            w.objectID(Self.object)
            w.u64(offset)
            w.u64(size)
            w.u8(0)
        } == field)
        #expect(Self.refusedField { w in
            w.u8(MessageTag.executeTask.rawValue)
            Self.writeSpec(&w, returnCount: 1)
            w.u32(1)
            w.objectID(Self.object)
            w.u64(offset)
            w.u64(size)
            w.u8(0)
            w.u32(0)
        } == field)
    }

    @Test func storeCapacitiesMustBeSizes() {
        #expect(Self.refusedField { w in
            w.u8(MessageTag.registered.rawValue)
            w.u64(5)
            w.u64(Self.negative)
            w.string("/tmp/s")
        } == "store capacity")
        #expect(Self.refusedField { w in
            w.u8(MessageTag.registerNode.rawValue)
            w.u64(5)
            w.string("/tmp/r.sock")
            w.u32(0)
            w.u64(Self.negative)
            w.string("/tmp/s")
        } == "store capacity")
    }

    // MARK: wait

    @Test func waitCannotAskForMoreObjectsThanItNames() throws {
        #expect(Self.refusedField { w in
            w.u8(MessageTag.waitObjects.rawValue)
            w.u64(10)
            w.objectIDs([Self.object])
            w.u32(2)
            w.i64(-1)
        } == "wait numReturns")
        #expect(Self.refusedField { w in
            w.u8(MessageTag.waitObjects.rawValue)
            w.u64(10)
            w.objectIDs([])
            w.u32(UInt32.max)
            w.i64(-1)
        } == "wait numReturns")
        for numReturns in 0...2 {
            let message = Message.waitObjects(request: 10, ids: [Self.object, Self.object], numReturns: numReturns, timeoutMilliseconds: 5)
            #expect(try message.frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) } == message)
        }
    }

    // MARK: GPU IDs

    @Test func gpuIDsAreBelowTheLimit() throws {
        func executeTask(gpuIDs: [UInt32]) -> (inout WireWriter) -> Void {
            { w in
                w.u8(MessageTag.executeTask.rawValue)
                Self.writeSpec(&w, returnCount: 1)
                w.u32(0)
                w.array(gpuIDs) { w, id in w.u32(id) }
            }
        }
        #expect(Self.refusedField(executeTask(gpuIDs: [0, UInt32(WireLimits.maxGPUs)])) == "GPU ID")
        #expect(Self.refusedField(executeTask(gpuIDs: [UInt32.max])) == "GPU ID")
        #expect(Self.refusedField(executeTask(gpuIDs: Array(repeating: 0, count: WireLimits.maxGPUs + 1))) == "GPU ID count")
        let accepted = try Self.decode(executeTask(gpuIDs: [0, UInt32(WireLimits.maxGPUs - 1)]))
        guard case let .executeTask(_, _, gpuIDs) = accepted else { Issue.record("decoded \(accepted)"); return }
        #expect(gpuIDs == [0, WireLimits.maxGPUs - 1])
    }

    // MARK: Array counts

    /// An array count is checked against the bytes its items need at the least, not one byte
    /// each: 1,000 object locations (36 bytes each on the wire, 40 in memory) cannot hide in
    /// 1,000 bytes and make the reader reserve 40 KB for them.
    @Test(arguments: [
        (MessageTag.objectsReply, 36), (.getObjects, 20), (.returnTasks, 16), (.errorsReply, 41), (.nodesReply, NodeStatus.minimumWireBytes),
    ])
    func arrayCountsAreCheckedAgainstTheSmallestItem(tag: MessageTag, itemBytes: Int) {
        let count = 1_000
        let error = #expect(throws: WireError.self) {
            try Self.decode { w in
                w.u8(tag.rawValue)
                if tag != .returnTasks { w.u64(1) }
                w.u32(UInt32(count))
                for _ in 0..<count * itemBytes - 1 { w.u8(0) }
            }
        }
        #expect(error?.description.contains("array count 1000") == true, "\(String(describing: error))")
    }

    /// The minimum sizes the array checks use are those of the smallest items the encoder writes:
    /// larger ones would refuse valid frames.
    @Test func minimumItemSizesMatchTheEncoder() {
        func size(_ write: (inout WireWriter) -> Void) -> Int {
            var w = WireWriter()
            write(&w)
            return w.bytes.count
        }
        #expect(size { ObjectLocation(id: Self.object, offset: 0, size: 0).write(to: &$0) } == ObjectLocation.wireBytes)
        #expect(size { ReturnValue.stored(id: Self.object).write(to: &$0) } == ReturnValue.minimumWireBytes)
        #expect(size { ReturnValue.inline(id: Self.object, payload: [], contained: []).write(to: &$0) } > ReturnValue.minimumWireBytes)
        #expect(size { TaskArgument.value([]).write(to: &$0) } == TaskArgument.minimumWireBytes)
        #expect(size { TaskArgument.reference(Self.object).write(to: &$0) } > TaskArgument.minimumWireBytes)
        #expect(size { ErrorRecord(kind: .system, jobID: JobID(1), taskID: .nil_, functionName: "", workerPID: 0, nodeID: NodeID(1),
                                   message: "").write(to: &$0) } == ErrorRecord.minimumWireBytes)
        #expect(size { NodeInfo(nodeID: NodeID(1), rayletAddress: "", resources: Resources(), storeCapacity: 0,
                                sessionDirectory: "", nodeIP: "").write(to: &$0) } == NodeInfo.minimumWireBytes)
        #expect(size { NodeStatus(info: NodeInfo(nodeID: NodeID(1), rayletAddress: "", resources: Resources(), storeCapacity: 0,
                                                 sessionDirectory: "", nodeIP: ""), isAlive: true, available: Resources(),
                                  queuedTasks: 0).write(to: &$0) } == NodeStatus.minimumWireBytes)
        #expect(size { ObjectHint(id: Self.object, node: NodeID(1), size: 0).write(to: &$0) } == ObjectHint.wireBytes)
        #expect(size { Resources(cpus: 1).write(to: &$0) } == 4 + 12 + "CPU".utf8.count)
        #expect(size { $0.taskID(.nil_) } == TaskID.byteCount)
        #expect(size { $0.objectID(Self.object) } == ObjectID.byteCount)
    }

    // MARK: Resources

    /// Found by Fuzz/MessageFuzz.swift: a task asking for 1e300 CPUs passed the decoder and
    /// trapped in the raylet when it described the request as infeasible.
    @Test func resourceQuantitiesAreBounded() throws {
        func submit(cpus: Double) -> Message {
            .submitTask(TaskSpec(taskID: Self.task, jobID: JobID(1), parentTaskID: .nil_, functionName: "f", displayName: "f",
                                 arguments: [], returnCount: 1, resources: Resources(cpus: cpus)))
        }
        for cpus in [1e300, WireLimits.maxResourceQuantity.nextUp, .infinity, -1, .nan] {
            let error = #expect(throws: WireError.self) {
                try submit(cpus: cpus).frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) }
            }
            #expect(error?.description.hasPrefix("malformed frame: resource CPU = ") == true, "\(String(describing: error))")
        }
        let largest = submit(cpus: WireLimits.maxResourceQuantity)
        #expect(try largest.frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) } == largest)
    }
}
