import RayCore

/// A future for an immutable object in the cluster's object store: what remote calls and
/// `put` return at once. Pass it to other remote calls (the task receives the value) or `get`
/// it. Refs compare and hash by object ID and print as its 40-digit hex form; they may be stored
/// inside other values, which keeps the object alive as long as the containing object lives.
public struct ObjectRef<Value: Codable & Sendable>: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The object's ID.
    public let id: ObjectID
    let holder: ReferenceHolder?

    init(id: ObjectID, holder: ReferenceHolder?) {
        self.id = id
        self.holder = holder
    }

    public var description: String { "ObjectRef(\(id.hex))" }

    public static func == (lhs: ObjectRef, rhs: ObjectRef) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// Waits for the value, from the cluster this process is connected to.
    public func get() async throws -> Value {
        try await Ray(core: holder?.owner ?? CoreWorkerRegistry.require()).get(self)
    }

    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? ObjectIDEncoding {
            try encoder.encodeObjectID(id)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(id.hex)
        }
    }

    public init(from decoder: any Decoder) throws {
        let id: ObjectID
        if let decoder = decoder as? ObjectIDDecoding {
            id = try decoder.decodeObjectID()
        } else {
            let hex = try decoder.singleValueContainer().decode(String.self)
            guard let parsed = ObjectID(hex: hex) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an object ID: \(hex)"))
            }
            id = parsed
        }
        self.init(decodedObjectID: id)
    }
}

extension ObjectRef: ObjectIDDecodable {
    /// The ref for an object ID read from a value: a new holder in this process.
    public init(decodedObjectID id: ObjectID) {
        self.init(id: id, holder: CoreWorkerRegistry.current?.hold(id, countedByNode: false))
    }
}

/// Keeps one process-local hold on each of its objects; the node is told when the last hold goes
/// away, so the store may evict it.
final class ReferenceHolder: Sendable {
    /// Nearly every holder holds one object: kept apart, it needs no array (decoding a value with
    /// 10,000 refs makes 10,000 holders).
    private enum Objects {
        case one(ObjectID)
        case many([ObjectID])
    }

    private let objects: Objects
    let owner: any CoreWorker

    init(ids: [ObjectID], owner: any CoreWorker) {
        objects = ids.count == 1 ? .one(ids[0]) : .many(ids)
        self.owner = owner
    }

    init(id: ObjectID, owner: any CoreWorker) {
        objects = .one(id)
        self.owner = owner
    }

    var ids: [ObjectID] {
        switch objects {
        case let .one(id): [id]
        case let .many(ids): ids
        }
    }

    var firstID: ObjectID? {
        switch objects {
        case let .one(id): id
        case let .many(ids): ids.first
        }
    }

    deinit {
        switch objects {
        case let .one(id): owner.releaseHold(id)
        case let .many(ids): owner.releaseHolds(ids)
        }
    }
}
