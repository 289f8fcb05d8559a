import RayCore

/// Types and helpers shared by the codec tests.
enum CodecFixtures {
    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try ValueDecoder().decode(T.self, from: ValueEncoder().encode(value).bytes)
    }

    static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        try ValueEncoder().encode(value).bytes
    }

    static let sampleID = ObjectID(task: TaskID(high: 0x0102_0304_0506_0708, low: 0x1112_1314_1516_1718), index: 0x2122_2324)

    struct Point: Codable, Equatable {
        var x: Double
        var y: Double
        var label: String
    }

    enum Shape: Codable, Equatable {
        case circle(center: Point, radius: Double)
        case polygon([Point])
        case tagged(String, Int)
        case empty
    }

    struct Sample: Codable, Equatable {
        var id: Int
        var name: String
        var weights: [Float]
        var samples: [Double]
        var counts: [Int32]
        var flags: [Bool]
        var nested: [[Int64]]
        var optional: String?
        var missing: Int?
        var shape: Shape
        var table: [String: Int]
        var byNumber: [Int: String]
        var points: [Point]
        var bytes: [UInt8]
    }

    static let sample = Sample(
        id: 42, name: "sample ✓", weights: [1.5, -2.25, .infinity], samples: [0.1, 0.2, 0.3], counts: [Int32.min, 0, Int32.max],
        flags: [true, false], nested: [[1, 2], [], [Int64.min]], optional: "here", missing: nil,
        shape: .polygon([Point(x: 1, y: 2, label: "a"), Point(x: 3, y: 4, label: "b")]), table: ["one": 1, "two": 2],
        byNumber: [1: "one", -7: "minus seven"], points: [Point(x: 0, y: 0, label: "")], bytes: [0, 255, 7])

    /// Stands in for `ObjectRef`: writes an object reference when the encoder supports it.
    struct Reference: Codable, Equatable {
        var id: ObjectID

        init(_ id: ObjectID) {
            self.id = id
        }

        func encode(to encoder: any Encoder) throws {
            guard let encoder = encoder as? ObjectIDEncoding else {
                throw EncodingError.invalidValue(id, .init(codingPath: encoder.codingPath, debugDescription: "not an ObjectIDEncoding"))
            }
            try encoder.encodeObjectID(id)
        }

        init(from decoder: any Decoder) throws {
            guard let decoder = decoder as? ObjectIDDecoding else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ObjectIDDecoding"))
            }
            id = try decoder.decodeObjectID()
        }
    }

    /// Stands in for `ObjectRef` as `ValueDecoder` makes it: straight from the object ID.
    struct DirectReference: Codable, Equatable, ObjectIDDecodable {
        var id: ObjectID

        init(decodedObjectID id: ObjectID) {
            self.id = id
        }

        func encode(to encoder: any Encoder) throws {
            try (encoder as? ObjectIDEncoding)?.encodeObjectID(id)
        }

        init(from decoder: any Decoder) throws {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "decoded without a Decoder"))
        }
    }

    struct Holder: Codable, Equatable {
        var main: Reference
        var others: [Reference]
        var maybe: Reference?
    }

    class Animal: Codable {
        var name: String
        var owner: Reference?

        init(name: String, owner: Reference?) {
            self.name = name
            self.owner = owner
        }
    }

    /// Encodes its superclass through `superEncoder()`, as inheritance needs.
    final class Dog: Animal {
        var breed: String

        init(name: String, owner: Reference?, breed: String) {
            self.breed = breed
            super.init(name: name, owner: owner)
        }

        private enum CodingKeys: String, CodingKey {
            case breed
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(breed, forKey: .breed)
            try super.encode(to: container.superEncoder())
        }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            breed = try container.decode(String.self, forKey: .breed)
            try super.init(from: container.superDecoder())
        }
    }

    /// Shares one keyed container between subclass and superclass, the other inheritance style.
    final class Cat: Animal {
        var lives: Int

        init(name: String, lives: Int) {
            self.lives = lives
            super.init(name: name, owner: nil)
        }

        private enum CodingKeys: String, CodingKey {
            case lives
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lives, forKey: .lives)
            try super.encode(to: encoder)
        }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            lives = try container.decode(Int.self, forKey: .lives)
            try super.init(from: decoder)
        }
    }

    final class Node: Codable {
        var value: Int
        var next: Node?

        init(value: Int, next: Node? = nil) {
            self.value = value
            self.next = next
        }
    }

    indirect enum Tree: Codable, Equatable {
        case leaf(Int)
        case branch([Tree])
    }
}

/// A small deterministic generator, so fuzz failures can be replayed.
struct CodecRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
