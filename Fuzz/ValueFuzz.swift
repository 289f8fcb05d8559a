import RayCore

// libFuzzer target: the value codec and the object payload layouts.
//
// Every input is decoded by `ValueDecoder` into each of a few representative types (nested
// structs, enums with and without payloads, optionals, strings, dictionaries, numeric arrays,
// object references, a recursive type), and read as an object payload (`ObjectPayload`: its
// kind, then its value, tensor or error record). A value that decodes must re-encode to bytes
// that decode and re-encode to the same bytes.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzSeeds.writeSeedsIfAsked { ValueFuzz.seeds() }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValues(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    ValueFuzz.decodeAll(bytes)
    // The same bytes as the MessagePack part of a value payload, and as a whole payload.
    ValueFuzz.readPayload(bytes)
    return 0
}

enum ValueFuzz {
    struct Reference: Codable, Equatable, ObjectIDDecodable {
        var id: ObjectID
        init(decodedObjectID id: ObjectID) { self.id = id }
        init(from decoder: any Decoder) throws {
            guard let decoder = decoder as? ObjectIDDecoding else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ObjectIDDecoding"))
            }
            id = try decoder.decodeObjectID()
        }
        func encode(to encoder: any Encoder) throws {
            guard let encoder = encoder as? ObjectIDEncoding else {
                throw EncodingError.invalidValue(id, .init(codingPath: encoder.codingPath, debugDescription: "not an ObjectIDEncoding"))
            }
            try encoder.encodeObjectID(id)
        }
    }

    enum Color: String, Codable { case red, green, blue }

    enum Shape: Codable {
        case circle(center: Point, radius: Double)
        case polygon([Point])
        case tagged(String, Int)
        case empty
    }

    struct Point: Codable {
        var x: Double
        var y: Float
        var label: String?
    }

    struct Record: Codable {
        var id: Int
        var name: String
        var color: Color
        var shape: Shape
        var weights: [Float]
        var samples: [Double]
        var counts: [Int32]
        var bytes: [UInt8]
        var flags: [Bool]
        var nested: [[Int64]]
        var table: [String: [UInt16]]
        var byNumber: [Int: String]
        var maybe: Point?
        var refs: [Reference]
        var small: Int8
        var big: UInt64
    }

    /// Uses every container operation by hand: nested keyed and unkeyed containers, `allKeys`,
    /// `contains`, `superDecoder`, `decodeNil`, `decodeIfPresent`, `count` and `isAtEnd`, and
    /// a single-value container.
    struct Custom: Codable {
        var header: [String: Int]
        var items: [Int?]
        var parent: Point?
        var flag: Bool?
        var rows: [[String]]
        var word: Word

        enum Keys: String, CodingKey { case header, items, parent, flag, rows, word }

        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        struct Word: Codable {
            var value: UInt32?
            init(value: UInt32?) { self.value = value }
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                value = container.decodeNil() ? nil : try container.decode(UInt32.self)
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                if let value { try container.encode(value) } else { try container.encodeNil() }
            }
        }

        init(header: [String: Int], items: [Int?], parent: Point?, flag: Bool?, rows: [[String]], word: Word) {
            (self.header, self.items, self.parent, self.flag, self.rows, self.word) = (header, items, parent, flag, rows, word)
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            let header = try container.nestedContainer(keyedBy: AnyKey.self, forKey: .header)
            self.header = [:]
            for key in header.allKeys { self.header[key.stringValue] = try header.decode(Int.self, forKey: key) }
            var items = try container.nestedUnkeyedContainer(forKey: .items)
            self.items = []
            self.items.reserveCapacity(items.count ?? 0)
            while !items.isAtEnd { self.items.append(try items.decodeNil() ? nil : try items.decode(Int.self)) }
            parent = container.contains(.parent) ? try Point(from: container.superDecoder(forKey: .parent)) : nil
            flag = try container.decodeIfPresent(Bool.self, forKey: .flag)
            var rows = try container.nestedUnkeyedContainer(forKey: .rows)
            self.rows = []
            while !rows.isAtEnd {
                var row = try rows.nestedUnkeyedContainer()
                var strings = [String]()
                while !row.isAtEnd { strings.append(try row.decode(String.self)) }
                self.rows.append(strings)
            }
            word = try container.decode(Word.self, forKey: .word)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var header = container.nestedContainer(keyedBy: AnyKey.self, forKey: .header)
            for (key, value) in self.header { try header.encode(value, forKey: AnyKey(stringValue: key)) }
            var items = container.nestedUnkeyedContainer(forKey: .items)
            for item in self.items {
                if let item { try items.encode(item) } else { try items.encodeNil() }
            }
            if let parent { try parent.encode(to: container.superEncoder(forKey: .parent)) }
            try container.encodeIfPresent(flag, forKey: .flag)
            var rows = container.nestedUnkeyedContainer(forKey: .rows)
            for strings in self.rows {
                var row = rows.nestedUnkeyedContainer()
                for string in strings { try row.encode(string) }
            }
            try container.encode(word, forKey: .word)
        }
    }

    indirect enum Tree: Codable {
        case leaf(Int)
        case node([Tree])
    }

    final class Node: Codable {
        var value: Int
        var next: Node?
    }

    /// Decodes `bytes` as each type; whatever decodes is re-encoded and checked.
    static func decodeAll(_ bytes: UnsafeRawBufferPointer) {
        check(Record.self, bytes)
        check(Custom.self, bytes)
        check([Shape].self, bytes)
        check([String: Point?].self, bytes)
        check(Tree.self, bytes)
        check(Node.self, bytes)
        check([Double].self, bytes)
        check([Int].self, bytes)
        check([UInt8].self, bytes)
        check(Set<String>.self, bytes)
        check(String.self, bytes)
        check(Reference.self, bytes)
        check([Reference?].self, bytes)
        check(Float.self, bytes)
        check(Int16.self, bytes)
        check(Bool?.self, bytes)
    }

    /// Decodes a `T`; if that works, its encoding must decode, and re-encode to the same bytes.
    static func check<T: Codable>(_: T.Type, _ bytes: UnsafeRawBufferPointer) {
        guard let value = try? ValueDecoder().decode(T.self, from: bytes) else { return }
        let encoded: EncodedValue
        do {
            encoded = try ValueEncoder().encode(value)
        } catch {
            fatalError("a decoded \(T.self) does not encode: \(error)")
        }
        let again: T
        do {
            again = try ValueDecoder().decode(T.self, from: encoded.bytes)
        } catch {
            fatalError("the encoding of a decoded \(T.self) does not decode: \(error)")
        }
        // Comparing encodings rather than values: NaNs are not equal to themselves, and sets and
        // dictionaries may encode their entries in another order.
        guard let reencoded = try? ValueEncoder().encode(again) else { fatalError("a \(T.self) encodes only once") }
        if T.self != Set<String>.self && T.self != [String: Point?].self && T.self != Record.self && T.self != Custom.self {
            precondition(reencoded.bytes == encoded.bytes, "the encoding of \(T.self) is not stable")
        } else {
            precondition(reencoded.bytes.count == encoded.bytes.count, "the encoding of \(T.self) changes size")
        }
    }

    /// Reads `bytes` as an object payload the way `get` does.
    static func readPayload(_ bytes: UnsafeRawBufferPointer) {
        guard let kind = try? ObjectPayload.kind(of: bytes) else { return }
        switch kind {
        case .value:
            decodeAll(ObjectPayload.valueBytes(bytes))
        case .error:
            if let record = try? ObjectPayload.errorRecord(bytes) {
                blackHole(record.description.utf8.count)
            }
        case .tensor:
            guard let layout = try? ObjectPayload.tensor(bytes) else { return }
            let count = layout.shape.reduce(1, *)
            precondition(count * layout.dtype.byteWidth == layout.data.count, "tensor shape \(layout.shape) does not match its data")
            precondition(Int(bitPattern: layout.data.baseAddress) - Int(bitPattern: bytes.baseAddress) == ObjectPayload.tensorHeaderSize)
            var sum: UInt64 = 0
            for byte in layout.data { sum &+= UInt64(byte) }
            blackHole(Int(truncatingIfNeeded: sum))
        }
    }

    @inline(never)
    static func blackHole(_ value: Int) {
        if value == 0x5EED_5EED { print("") }
    }

    /// Valid encodings of each type, as values and as payloads.
    static func seeds() -> [[UInt8]] {
        let id = ObjectID(task: TaskID(high: 1, low: 2), index: 3)
        let point = Point(x: 1.5, y: -2, label: "p")
        func encode<T: Encodable>(_ value: T) -> [UInt8] { try! ValueEncoder().encode(value).bytes }
        let values: [[UInt8]] = [
            encode(Record(id: 42, name: "sample ✓", color: .green, shape: .polygon([point, Point(x: 0, y: 0, label: nil)]),
                          weights: [1.5, -2.25, .infinity], samples: [0.1, 0.2], counts: [Int32.min, 0, Int32.max], bytes: [0, 255],
                          flags: [true, false], nested: [[1, 2], [], [Int64.min]], table: ["a": [1, 2], "b": []],
                          byNumber: [1: "one", -7: "minus seven"], maybe: point, refs: [Reference(decodedObjectID: id)],
                          small: -8, big: UInt64.max)),
            encode(Custom(header: ["a": 1, "b": -2], items: [1, nil, 3], parent: point, flag: true, rows: [["x"], [], ["y", "z"]],
                          word: .init(value: 7))),
            encode(Custom(header: [:], items: [], parent: nil, flag: nil, rows: [], word: .init(value: nil))),
            encode([Shape.circle(center: point, radius: 2), .tagged("t", 3), .empty]),
            encode(["p": point, "none": nil] as [String: Point?]),
            encode(Tree.node([.leaf(1), .node([.leaf(2), .node([])])])),
            encode([1.0, 2.5, -0.0] as [Double]),
            encode([1, -1, Int.max] as [Int]),
            encode([1, 2, 3] as [UInt8]),
            encode(Set(["x", "y"])),
            encode("hello"),
            encode([Reference(decodedObjectID: id), nil]),
            encode(Float(3.25)),
            encode(Int16(-300)),
            encode(true as Bool?),
        ]
        var tensor = [UInt8](repeating: 0, count: ObjectPayload.tensorSize(elementBytes: 24))
        tensor.withUnsafeMutableBytes { ObjectPayload.writeTensorHeader(to: $0.baseAddress!, dtype: .float32, shape: [2, 3]) }
        let record = ErrorRecord(kind: .taskFailed, jobID: JobID(1), taskID: TaskID(high: 1, low: 2), functionName: "F", workerPID: 7,
                                 nodeID: NodeID(3), message: "boom")
        return values + values.prefix(4).map { ObjectPayload.value($0) } + [tensor, ObjectPayload.error(record)]
    }
}
