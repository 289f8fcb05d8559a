import Testing
@testable import RayCore

@Suite struct ObjectPayloadTests {
    @Test func tensorHeaderDescribesShapeAndData() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        var payload = [UInt8](repeating: 0, count: ObjectPayload.tensorSize(elementBytes: 24))
        payload.withUnsafeMutableBytes { raw in
            ObjectPayload.writeTensorHeader(to: raw.baseAddress!, dtype: .float32, shape: [2, 3])
            values.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[64...]).copyMemory(from: $0) }
        }
        try payload.withUnsafeBytes { raw throws in
            #expect(try ObjectPayload.kind(of: raw) == .tensor)
            let layout = try ObjectPayload.tensor(raw)
            #expect(layout.dtype == .float32)
            #expect(layout.shape == [2, 3])
            #expect(layout.data.count == 24)
            #expect(layout.data.load(fromByteOffset: 20, as: Float.self) == 6)
        }
    }

    @Test func inconsistentTensorShapeIsRejected() {
        var payload = [UInt8](repeating: 0, count: ObjectPayload.tensorSize(elementBytes: 8))
        payload.withUnsafeMutableBytes { ObjectPayload.writeTensorHeader(to: $0.baseAddress!, dtype: .float64, shape: [5]) }
        #expect(throws: ObjectPayloadError.self) { try payload.withUnsafeBytes { _ = try ObjectPayload.tensor($0) } }
    }

    @Test func errorPayloadCarriesTheRecord() throws {
        let record = ErrorRecord(kind: .workerDied, jobID: JobID(1), taskID: TaskID(high: 1, low: 1), functionName: "F",
                                 workerPID: 9, nodeID: NodeID(2), message: "gone")
        let payload = ObjectPayload.error(record)
        try payload.withUnsafeBytes { raw throws in
            #expect(try ObjectPayload.kind(of: raw) == .error)
            #expect(try ObjectPayload.errorRecord(raw) == record)
        }
    }

    @Test func foreignBytesAreNotAPayload() {
        let junk: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        #expect(throws: ObjectPayloadError.self) { try junk.withUnsafeBytes { _ = try ObjectPayload.kind(of: $0) } }
    }
}
