import Ray
import RayCore
import Testing

/// An `NDArray` decoded from a value (an argument, or an array inside a struct) whose shape is
/// corrupt fails to decode; it must not trap multiplying the extents.
@Suite struct NDArrayDecodingTests {
    /// The layout `NDArray` encodes to.
    struct Raw: Codable {
        var shape: [Int]
        var data: [Float]
    }

    @Test(arguments: [[Int.max, 2], [1 << 62, 4, 0], [-1, -1], [-1], [2, -3]])
    func corruptShapesAreDecodingErrors(shape: [Int]) throws {
        let bytes = try ValueEncoder().encode(Raw(shape: shape, data: [1])).bytes
        #expect(throws: DecodingError.self) { try ValueDecoder().decode(NDArray<Float>.self, from: bytes) }
    }

    @Test func validShapesDecode() throws {
        let bytes = try ValueEncoder().encode(Raw(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])).bytes
        let array = try ValueDecoder().decode(NDArray<Float>.self, from: bytes)
        #expect(array.shape == [2, 3])
        #expect(array[[1, 2]] == 6)
        let empty = try ValueEncoder().encode(Raw(shape: [0, 1 << 62], data: [])).bytes
        #expect(try ValueDecoder().decode(NDArray<Float>.self, from: empty).shape == [0, 1 << 62])
    }
}
