import Testing
import RayCore

/// The bytes on the wire are plain MessagePack, so other implementations can read and write them.
@Suite struct CodecFormatTests {
    typealias F = CodecFixtures

    @Test func mapWithOneEntry() throws {
        #expect(try F.bytes(["a": 1]) == [0xdf, 0x00, 0x00, 0x00, 0x01, 0xa1, 0x61, 0x01])
    }

    @Test func structIsAMapOfFieldNames() throws {
        let expected: [UInt8] = [0xdf, 0, 0, 0, 3,
                                 0xa1, 0x78, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
                                 0xa1, 0x79, 0xcb, 0x40, 0x00, 0, 0, 0, 0, 0, 0,
                                 0xa5, 0x6c, 0x61, 0x62, 0x65, 0x6c, 0xa1, 0x70]
        #expect(try F.bytes(F.Point(x: 1, y: 2, label: "p")) == expected)
    }

    @Test func integersUseTheSmallestForm() throws {
        let cases: [(Int, [UInt8])] = [
            (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]), (256, [0xcd, 0x01, 0x00]),
            (65536, [0xce, 0x00, 0x01, 0x00, 0x00]), (1 << 32, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, [0xff]), (-32, [0xe0]), (-33, [0xd0, 0xdf]), (-128, [0xd0, 0x80]), (-129, [0xd1, 0xff, 0x7f]),
            (-32769, [0xd2, 0xff, 0xff, 0x7f, 0xff]), (Int.min, [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (value, bytes) in cases {
            #expect(try F.bytes(value) == bytes, "\(value)")
        }
        #expect(try F.bytes(UInt64.max) == [0xcf] + [UInt8](repeating: 0xff, count: 8))
        #expect(try F.bytes(Int8(-5)) == [0xfb])
    }

    @Test func scalarsAndStrings() throws {
        #expect(try F.bytes(Int?.none) == [0xc0])
        #expect(try F.bytes(true) == [0xc3])
        #expect(try F.bytes(false) == [0xc2])
        #expect(try F.bytes(Float(1)) == [0xca, 0x3f, 0x80, 0x00, 0x00])
        #expect(try F.bytes(1.0) == [0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0])
        #expect(try F.bytes("") == [0xa0])
        #expect(try F.bytes("é") == [0xa2, 0xc3, 0xa9])
        #expect(try F.bytes(String(repeating: "a", count: 32)).prefix(2) == [0xd9, 32])
        #expect(try F.bytes(String(repeating: "a", count: 256)).prefix(3) == [0xda, 0x01, 0x00])
        #expect(try F.bytes(String(repeating: "a", count: 65536)).prefix(5) == [0xdb, 0x00, 0x01, 0x00, 0x00])
    }

    @Test func arraysAndNumericArrays() throws {
        #expect(try F.bytes([true, false]) == [0xdd, 0, 0, 0, 2, 0xc3, 0xc2])
        #expect(try F.bytes([String]()) == [0xdd, 0, 0, 0, 0])
        #expect(try F.bytes([Float(1)]) == [0xc7, 5, 2, 1, 0x00, 0x00, 0x80, 0x3f])
        #expect(try F.bytes([Int16(1), -2]) == [0xc7, 5, 2, 4, 0x01, 0x00, 0xfe, 0xff])
        #expect(try F.bytes([UInt8]()) == [0xc7, 1, 2, 7])
        #expect(try F.bytes(["w": [Float(1)]]) == [0xdf, 0, 0, 0, 1, 0xa1, 0x77, 0xc7, 5, 2, 1, 0x00, 0x00, 0x80, 0x3f])
        #expect(try F.bytes([[Int8(-1)]]) == [0xdd, 0, 0, 0, 1, 0xc7, 2, 2, 3, 0xff])
        #expect(try F.bytes([Int](repeating: 1, count: 100)).prefix(5) == [0xc8, 0x03, 0x21, 2, 6])
        let large = try F.bytes([Double](repeating: 0, count: 1 << 20))
        #expect(large.prefix(7) == [0xc9, 0x00, 0x80, 0x00, 0x01, 2, 2])
        #expect(large.count == 7 + (1 << 23))
    }

    /// What Python's `msgpack.packb` writes (fix forms, 16-bit headers, int keys absent) reads back.
    @Test func decodesOtherWritersForms() throws {
        let decoder = ValueDecoder()
        let point: [UInt8] = [0x83, 0xa1, 0x78, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
                              0xa5, 0x6c, 0x61, 0x62, 0x65, 0x6c, 0xa1, 0x70,
                              0xa1, 0x79, 0x02]
        #expect(try decoder.decode(F.Point.self, from: point) == F.Point(x: 1, y: 2, label: "p"))
        #expect(try decoder.decode([Int].self, from: [0x93, 0x01, 0xff, 0xcd, 0x01, 0x00]) == [1, -1, 256])
        #expect(try decoder.decode([Bool].self, from: [0xdc, 0x00, 0x02, 0xc3, 0xc2]) == [true, false])
        #expect(try decoder.decode([String: Int].self, from: [0xde, 0x00, 0x01, 0xa1, 0x6b, 0x05]) == ["k": 5])
        #expect(try decoder.decode(String.self, from: [0xd9, 0x02, 0x68, 0x69]) == "hi")
        #expect(try decoder.decode([UInt8].self, from: [0xc4, 0x03, 1, 2, 3]) == [1, 2, 3])
        #expect(try decoder.decode([Int].self, from: [0xc4, 0x02, 9, 250]) == [9, 250])
        #expect(try decoder.decode([Float].self, from: [0xd4, 0x02, 0x01]) == [])
        #expect(try decoder.decode([Int8].self, from: [0xd5, 0x02, 0x03, 0xfb]) == [-5])
        #expect(try decoder.decode([Float].self, from: [0xc8, 0x00, 0x05, 0x02, 0x01, 0x00, 0x00, 0xc0, 0x3f]) == [1.5])
        #expect(try decoder.decode(Double.self, from: [0xca, 0x3f, 0xc0, 0x00, 0x00]) == 1.5)
        #expect(try decoder.decode([Int].self, from: [0x90]) == [])
        let mixed: [UInt8] = [0x92, 0x92, 0x01, 0x02, 0xc7, 0x09, 0x02, 0x06, 0x03, 0, 0, 0, 0, 0, 0, 0]
        #expect(try decoder.decode([[Int]].self, from: mixed) == [[1, 2], [3]])
        #expect(try decoder.decode([String: Int].self, from: [0x80]) == [:])
    }

    @Test func numericDTypes() {
        #expect(NumericDType.allCases.map(\.rawValue) == Array(1...10))
        #expect(NumericDType.allCases.map(\.byteWidth) == [4, 8, 1, 2, 4, 8, 1, 2, 4, 8])
        #expect([Float.dtype, Double.dtype, Int8.dtype, Int16.dtype, Int32.dtype, Int64.dtype] == [.float32, .float64, .int8, .int16, .int32, .int64])
        #expect([UInt8.dtype, UInt16.dtype, UInt32.dtype, UInt64.dtype] == [.uint8, .uint16, .uint32, .uint64])
        #expect(Int.dtype == .int64 && UInt.dtype == .uint64)
        #expect("\(NumericDType.float32)" == "Float32")
    }
}
