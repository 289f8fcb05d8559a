import Testing
import RayCore

@Suite struct CodecTests {
    typealias F = CodecFixtures

    @Test func integersAtBoundaries() throws {
        for value in [Int.min, Int.min + 1, -1 << 31 - 1, -1 << 31, -32769, -32768, -129, -128, -33, -32, -1, 0, 1, 127, 128, 255, 256,
                      65535, 65536, 1 << 32 - 1, 1 << 32, Int.max] {
            #expect(try F.roundTrip(value) == value)
        }
        #expect(try F.roundTrip(Int8.min) == Int8.min)
        #expect(try F.roundTrip(Int8.max) == Int8.max)
        #expect(try F.roundTrip(Int16.min) == Int16.min)
        #expect(try F.roundTrip(Int32.min) == Int32.min)
        #expect(try F.roundTrip(Int64.max) == Int64.max)
        #expect(try F.roundTrip(UInt8.max) == UInt8.max)
        #expect(try F.roundTrip(UInt16.max) == UInt16.max)
        #expect(try F.roundTrip(UInt32.max) == UInt32.max)
        #expect(try F.roundTrip(UInt64.max) == UInt64.max)
        #expect(try F.roundTrip(UInt.max) == UInt.max)
    }

    @Test func floatsAndBools() throws {
        for value in [0.0, -0.0, 1.5, -.pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity] {
            #expect(try F.roundTrip(value).bitPattern == value.bitPattern)
        }
        for value: Float in [0, 1.25, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity] {
            #expect(try F.roundTrip(value).bitPattern == value.bitPattern)
        }
        #expect(try F.roundTrip(Double.nan).isNaN)
        #expect(try F.roundTrip(Float.nan).isNaN)
        #expect(try F.roundTrip(true) == true)
        #expect(try F.roundTrip(false) == false)
    }

    @Test func strings() throws {
        let samples = ["", "a", "héllo wörld", "日本語のテキスト", "emoji 👩‍👩‍👧‍👦🏳️‍🌈", "nul\u{0}inside",
                       String(repeating: "x", count: 31), String(repeating: "x", count: 32), String(repeating: "y", count: 255),
                       String(repeating: "y", count: 256), String(repeating: "z", count: 65535), String(repeating: "z", count: 65536)]
        for string in samples {
            #expect(try F.roundTrip(string) == string)
        }
        #expect(try F.roundTrip(samples) == samples)
    }

    @Test func nestedStructsEnumsAndCollections() throws {
        #expect(try F.roundTrip(F.sample) == F.sample)
        let shapes: [F.Shape] = [.circle(center: F.Point(x: 1, y: -1, label: "c"), radius: 2), .polygon([]), .tagged("t", -5), .empty]
        #expect(try F.roundTrip(shapes) == shapes)
        let table: [String: [F.Point]] = ["empty": [], "one": [F.Point(x: 1, y: 1, label: "p")]]
        #expect(try F.roundTrip(table) == table)
    }

    @Test func optionals() throws {
        let values: [Int?] = [1, nil, 3, nil]
        #expect(try F.roundTrip(values) == values)
        #expect(try F.roundTrip(Int?.none) == nil)
        #expect(try F.roundTrip(String?.some("x")) == "x")
        let nested: [String: Double?] = ["a": 1, "b": nil]
        #expect(try F.roundTrip(nested) == nested)
        let arrays: [[Float]?] = [nil, [1, 2], []]
        #expect(try F.roundTrip(arrays) == arrays)
    }

    @Test func numericArraysEverywhere() throws {
        #expect(try F.roundTrip([Float]()) == [])
        #expect(try F.roundTrip([Double](repeating: 1.5, count: 10_000)) == [Double](repeating: 1.5, count: 10_000))
        #expect(try F.roundTrip([Int8.min, 0, Int8.max]) == [Int8.min, 0, Int8.max])
        #expect(try F.roundTrip([Int16.min, Int16.max]) == [Int16.min, Int16.max])
        #expect(try F.roundTrip([Int64.min, Int64.max]) == [Int64.min, Int64.max])
        #expect(try F.roundTrip([UInt16.max, 0]) == [UInt16.max, 0])
        #expect(try F.roundTrip([UInt32.max, 0]) == [UInt32.max, 0])
        #expect(try F.roundTrip([UInt64.max, 0]) == [UInt64.max, 0])
        #expect(try F.roundTrip([UInt.max, 0]) == [UInt.max, 0])
        #expect(try F.roundTrip([Int.min, -1, Int.max]) == [Int.min, -1, Int.max])
        let grid: [[Float]] = [[1, 2, 3], [], [4]]
        #expect(try F.roundTrip(grid) == grid)
        let byName: [String: [Int32]] = ["a": [1, 2], "b": []]
        #expect(try F.roundTrip(byName) == byName)
    }

    @Test func classesAndSuperclasses() throws {
        let node = F.Node(value: 1, next: F.Node(value: 2, next: F.Node(value: 3)))
        let decoded = try F.roundTrip(node)
        #expect(decoded.value == 1 && decoded.next?.value == 2 && decoded.next?.next?.value == 3 && decoded.next?.next?.next == nil)

        let dog = F.Dog(name: "Rex", owner: F.Reference(F.sampleID), breed: "collie")
        let encodedDog = try ValueEncoder().encode(dog)
        #expect(encodedDog.containedObjectIDs == [F.sampleID])
        let decodedDog = try ValueDecoder().decode(F.Dog.self, from: encodedDog.bytes)
        #expect(decodedDog.name == "Rex" && decodedDog.breed == "collie" && decodedDog.owner == F.Reference(F.sampleID))

        let cat = try F.roundTrip(F.Cat(name: "Tom", lives: 9))
        #expect(cat.name == "Tom" && cat.lives == 9 && cat.owner == nil)
    }

    @Test func objectIDsAreReportedAndRoundTrip() throws {
        let other = ObjectID.put(by: TaskID(high: 7, low: 8), counter: 3)
        let holder = F.Holder(main: F.Reference(F.sampleID), others: [F.Reference(other), F.Reference(F.sampleID)], maybe: nil)
        let encoded = try ValueEncoder().encode(holder)
        #expect(encoded.containedObjectIDs == [F.sampleID, other, F.sampleID])
        #expect(try ValueDecoder().decode(F.Holder.self, from: encoded.bytes) == holder)

        let top = try ValueEncoder().encode(F.Reference(other))
        #expect(top.containedObjectIDs == [other])
        #expect(top.bytes == [0xc7, 20, 1] + other.bytes)
        #expect(try ValueEncoder().encode(F.sample).containedObjectIDs.isEmpty)
    }

    @Test func referencesAreMadeStraightFromTheirObjectIDs() throws {
        let ids = (0..<1000).map { ObjectID.put(by: TaskID(high: 9, low: UInt64($0)), counter: 1) }
        let references = ids.map(F.DirectReference.init(decodedObjectID:))
        let encoded = try ValueEncoder().encode(["refs": references])
        #expect(try ValueDecoder().decode([String: [F.DirectReference]].self, from: encoded.bytes) == ["refs": references])
        // Something else where a reference belongs fails with the path to it.
        let wrong = try ValueEncoder().encode(["refs": [1, 2]])
        let error = try #require(throws: DecodingError.self) { try ValueDecoder().decode([String: [F.DirectReference]].self, from: wrong.bytes) }
        guard case let .typeMismatch(_, context) = error else { Issue.record("unexpected \(error)"); return }
        #expect(context.codingPath.map(\.stringValue) == ["refs", "Index 0"])
    }

    /// Every encoder and decoder the codec hands out, however reached, supports object IDs.
    @Test func everyEncoderAndDecoderHandlesObjectIDs() throws {
        struct Probe: Codable {
            func encode(to encoder: any Encoder) throws {
                #expect(encoder is ObjectIDEncoding)
                var keyed = encoder.container(keyedBy: CodecTestKey.self)
                #expect(keyed.superEncoder() is ObjectIDEncoding)
                #expect(keyed.superEncoder(forKey: CodecTestKey(stringValue: "k")) is ObjectIDEncoding)
                var unkeyed = keyed.nestedUnkeyedContainer(forKey: CodecTestKey(stringValue: "list"))
                #expect(unkeyed.superEncoder() is ObjectIDEncoding)
                try (keyed.superEncoder(forKey: CodecTestKey(stringValue: "id")) as? ObjectIDEncoding)?.encodeObjectID(CodecFixtures.sampleID)
            }

            init() {}

            init(from decoder: any Decoder) throws {
                #expect(decoder is ObjectIDDecoding)
                let keyed = try decoder.container(keyedBy: CodecTestKey.self)
                #expect(try keyed.superDecoder() is ObjectIDDecoding)
                var unkeyed = try keyed.nestedUnkeyedContainer(forKey: CodecTestKey(stringValue: "list"))
                #expect(try unkeyed.superDecoder() is ObjectIDDecoding)
                let id = try (keyed.superDecoder(forKey: CodecTestKey(stringValue: "id")) as? ObjectIDDecoding)?.decodeObjectID()
                #expect(id == CodecFixtures.sampleID)
            }
        }
        let encoded = try ValueEncoder().encode(Probe())
        #expect(encoded.containedObjectIDs == [F.sampleID])
        _ = try ValueDecoder().decode(Probe.self, from: encoded.bytes)
    }

    @Test func fieldsDecodeInAnyOrder() throws {
        struct Reversed: Decodable {
            var values: [String: Int] = [:]
            var keys: [String] = []
            var hasZ = true

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodecTestKey.self)
                for name in ["label", "y", "x"] {
                    values[name] = try container.decodeIfPresent(Int.self, forKey: CodecTestKey(stringValue: name)) ?? -1
                }
                keys = container.allKeys.map(\.stringValue)
                hasZ = container.contains(CodecTestKey(stringValue: "z"))
            }
        }
        struct Written: Encodable {
            var x = 1, y = 2, label = 3
        }
        let decoded = try ValueDecoder().decode(Reversed.self, from: F.bytes(Written()))
        #expect(decoded.values == ["label": 3, "y": 2, "x": 1])
        #expect(decoded.keys == ["x", "y", "label"])
        #expect(!decoded.hasZ)
    }

    @Test func keyedContainerContract() throws {
        struct Partial: Encodable {
            var present: Int? = 5
            var absent: Int? = nil
            var explicitNil: Int?

            enum CodingKeys: String, CodingKey { case present, absent, explicitNil }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeIfPresent(present, forKey: .present)
                try container.encodeIfPresent(absent, forKey: .absent)
                try container.encodeNil(forKey: .explicitNil)
            }
        }
        struct Reader: Decodable {
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Partial.CodingKeys.self)
                #expect(container.contains(.present) && !container.contains(.absent) && container.contains(.explicitNil))
                #expect(try container.decodeIfPresent(Int.self, forKey: .present) == 5)
                #expect(try container.decodeIfPresent(Int.self, forKey: .absent) == nil)
                #expect(try container.decodeIfPresent(Int.self, forKey: .explicitNil) == nil)
                #expect(try container.decodeNil(forKey: .explicitNil))
                #expect(try !container.decodeNil(forKey: .present))
                #expect(throws: DecodingError.self) { try container.decodeNil(forKey: .absent) }
                #expect(throws: DecodingError.self) { try container.decodeIfPresent(String.self, forKey: .present) }
                #expect(Set(container.allKeys.map(\.stringValue)) == ["present", "explicitNil"])
            }
        }
        _ = try ValueDecoder().decode(Reader.self, from: F.bytes(Partial()))
    }

    @Test func integersConvertWhenTheyFit() throws {
        let decoder = ValueDecoder()
        #expect(try decoder.decode(UInt16.self, from: F.bytes(300)) == 300)
        #expect(try decoder.decode(Int8.self, from: F.bytes(UInt64(127))) == 127)
        #expect(try decoder.decode(UInt64.self, from: F.bytes(Int8(5))) == 5)
        #expect(try decoder.decode(Double.self, from: F.bytes(-7)) == -7)
        #expect(try decoder.decode(Double.self, from: F.bytes(Float(0.5))) == 0.5)
        #expect(try decoder.decode(Float.self, from: F.bytes(0.25)) == 0.25)
        #expect(try decoder.decode([Int].self, from: F.bytes([Int32(1), -2])) == [1, -2])
        #expect(try decoder.decode([Double].self, from: F.bytes([Float(1.5), 2])) == [1.5, 2])
        #expect(try decoder.decode([Int32].self, from: F.bytes([1, 2])) == [1, 2])
        #expect(try decoder.decode([Int?].self, from: F.bytes([Int16(4)])) == [4])
    }

    /// Decoding errors follow the Codable contract and say what was expected and found.
    @Test func decodingErrorsAreDescriptive() throws {
        let decoder = ValueDecoder()
        let point = try F.bytes(F.Point(x: 1, y: 2, label: "p"))

        do {
            _ = try decoder.decode(Int.self, from: F.bytes("text"))
            Issue.record("expected a type mismatch")
        } catch DecodingError.typeMismatch(let type, let context) {
            #expect(ObjectIdentifier(type) == ObjectIdentifier(Int.self))
            #expect(context.debugDescription.hasPrefix("expected Int, found string"))
        }

        struct WrongField: Decodable { var label: Int }
        do {
            _ = try decoder.decode(WrongField.self, from: point)
            Issue.record("expected a type mismatch")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["label"])
            #expect(context.debugDescription.contains("expected Int, found string"))
        }

        struct MissingField: Decodable { var z: Double }
        do {
            _ = try decoder.decode(MissingField.self, from: point)
            Issue.record("expected keyNotFound")
        } catch DecodingError.keyNotFound(let key, _) {
            #expect(key.stringValue == "z")
        }

        do {
            _ = try decoder.decode(UInt8.self, from: F.bytes(300))
            Issue.record("expected an overflow error")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains("300 does not fit in UInt8"))
        }

        #expect(throws: DecodingError.self) { try decoder.decode(UInt.self, from: F.bytes(-1)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: F.bytes(1.0)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: F.bytes(1e300)) }
        #expect(throws: DecodingError.self) { try decoder.decode([UInt8].self, from: F.bytes([Int32(256)])) }

        do {
            _ = try decoder.decode([F.Point].self, from: F.bytes(["a": 1]))
            Issue.record("expected a type mismatch")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.debugDescription.contains("found map"))
        }

        do {
            var bytes = try F.bytes([F.Point(x: 1, y: 2, label: "a"), F.Point(x: 3, y: 4, label: "b")])
            bytes[bytes.count - 2] = 0xc1  // the marker of the second point's label value
            _ = try decoder.decode([F.Point].self, from: bytes)
            Issue.record("expected corrupted data")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.hasPrefix("reserved marker byte 0xc1 at byte offset"))
            #expect(context.codingPath.map(\.stringValue) == ["Index 1"])
        }
    }

    @Test func encodingErrorsNameTheType() throws {
        struct Mixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                _ = encoder.container(keyedBy: CodecTestKey.self)
                var unkeyed = encoder.unkeyedContainer()
                try unkeyed.encode(1)
            }
        }
        do {
            _ = try ValueEncoder().encode(["a": [Mixed()]])
            Issue.record("expected an encoding error")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.debugDescription.contains("Mixed"))
            #expect(context.codingPath.map(\.stringValue) == ["a", "Index 0"])
        }

        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var single = encoder.singleValueContainer()
                try single.encode(1)
                try single.encode(2)
            }
        }
        #expect(throws: EncodingError.self) { try ValueEncoder().encode(Twice()) }

        /// Writing to a container after a later sibling was started cannot be streamed.
        struct Interleaved: Encodable {
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.unkeyedContainer()
                var inner = outer.nestedUnkeyedContainer()
                try inner.encode(1)
                try outer.encode(2)
                try inner.encode(3)
            }
        }
        do {
            _ = try ValueEncoder().encode(Interleaved())
            Issue.record("expected an encoding error")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.debugDescription.contains("Interleaved"))
        }
    }

    @Test func customContainerUsageInOrder() throws {
        struct Custom: Codable, Equatable {
            var a: Int
            var inner: [String]
            var pair: [Double]

            enum Keys: String, CodingKey { case a, inner, pair }
            enum PairKeys: String, CodingKey { case first, second }

            init(a: Int, inner: [String], pair: [Double]) {
                self.a = a
                self.inner = inner
                self.pair = pair
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var list = container.nestedUnkeyedContainer(forKey: .inner)
                for item in inner { try list.encode(item) }
                var pairContainer = container.nestedContainer(keyedBy: PairKeys.self, forKey: .pair)
                try pairContainer.encode(pair[0], forKey: .first)
                try pairContainer.encode(pair[1], forKey: .second)
                try container.encode(a, forKey: .a)
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Keys.self)
                a = try container.decode(Int.self, forKey: .a)
                let pairContainer = try container.nestedContainer(keyedBy: PairKeys.self, forKey: .pair)
                var list = try container.nestedUnkeyedContainer(forKey: .inner)
                inner = []
                while !list.isAtEnd { inner.append(try list.decode(String.self)) }
                #expect(list.count == inner.count)
                pair = [try pairContainer.decode(Double.self, forKey: .first), try pairContainer.decode(Double.self, forKey: .second)]
            }
        }
        let value = Custom(a: 7, inner: ["x", "y"], pair: [0.5, 1.5])
        #expect(try F.roundTrip(value) == value)
        #expect(try F.roundTrip([value, value]) == [value, value])
    }

    @Test func emptyEncodeBecomesEmptyMap() throws {
        struct Nothing: Codable, Equatable {
            func encode(to encoder: any Encoder) throws {}
            init() {}
            init(from decoder: any Decoder) throws {}
        }
        #expect(try F.bytes(Nothing()) == [0x80])
        #expect(try F.bytes([Nothing()]) == [0xdd, 0, 0, 0, 1, 0x80])
        #expect(try F.roundTrip([Nothing(), Nothing()]) == [Nothing(), Nothing()])
    }
}

/// A key for hand-written containers in tests.
struct CodecTestKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}
