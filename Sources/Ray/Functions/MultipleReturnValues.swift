import RayCore

/// A result type that makes a remote function return several objects, each its own ref (the
/// seed's `num_return_vals`). Its ref is a bundle: `split()` gives the refs of the parts, and
/// `get` of the bundle fetches them all.
public protocol MultipleReturnValues: Codable, Sendable {
    static var count: Int { get }
    /// The payload of each part, in order.
    func partPayloads() throws -> [PayloadParts]
    /// Rebuilds the value from the parts' objects.
    static func assemble(_ parts: [ObjectBufferHandle]) throws -> Self
}

/// An opaque part payload (implementation detail of `MultipleReturnValues`).
public struct PayloadParts: Sendable {
    let writer: PayloadWriter
}

/// An opaque stored object (implementation detail of `MultipleReturnValues`).
public struct ObjectBufferHandle: Sendable {
    let buffer: ObjectBuffer
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try ObjectCodec.decode(T.self, from: buffer) }
}

extension PayloadParts {
    public static func of<T: Encodable>(_ value: T) throws -> PayloadParts { PayloadParts(writer: try ObjectCodec.payload(for: value)) }
}

/// Two return values.
public struct Returns2<A: Codable & Sendable, B: Codable & Sendable>: MultipleReturnValues {
    public var first: A
    public var second: B
    public init(_ first: A, _ second: B) {
        self.first = first
        self.second = second
    }

    public static var count: Int { 2 }
    public func partPayloads() throws -> [PayloadParts] { [try .of(first), try .of(second)] }
    public static func assemble(_ parts: [ObjectBufferHandle]) throws -> Self {
        Self(try parts[0].decode(A.self), try parts[1].decode(B.self))
    }
}

/// Three return values.
public struct Returns3<A: Codable & Sendable, B: Codable & Sendable, C: Codable & Sendable>: MultipleReturnValues {
    public var first: A
    public var second: B
    public var third: C
    public init(_ first: A, _ second: B, _ third: C) {
        self.first = first
        self.second = second
        self.third = third
    }

    public static var count: Int { 3 }
    public func partPayloads() throws -> [PayloadParts] { [try .of(first), try .of(second), try .of(third)] }
    public static func assemble(_ parts: [ObjectBufferHandle]) throws -> Self {
        Self(try parts[0].decode(A.self), try parts[1].decode(B.self), try parts[2].decode(C.self))
    }
}

extension ObjectRef {
    /// The IDs of a multi-return bundle's parts.
    var partIDs: [ObjectID]? {
        guard let bundle = Value.self as? any MultipleReturnValues.Type, id.index == 0 else { return nil }
        return (0..<bundle.count).map { ObjectID.returnValue(of: id.task, position: $0) }
    }

    private func part<P>(_ position: Int) -> ObjectRef<P> {
        let partID = ObjectID.returnValue(of: id.task, position: position)
        return ObjectRef<P>(id: partID, holder: holder.map { $0.owner.hold(partID, countedByNode: false) })
    }

    /// The refs of the two results.
    public func split<A, B>() -> (ObjectRef<A>, ObjectRef<B>) where Value == Returns2<A, B> {
        (part(0), part(1))
    }

    /// The refs of the three results.
    public func split<A, B, C>() -> (ObjectRef<A>, ObjectRef<B>, ObjectRef<C>) where Value == Returns3<A, B, C> {
        (part(0), part(1), part(2))
    }
}
