import RayCore

/// One argument of a remote call as the caller wrote it: a plain value or a ref.
struct CallArgument: Sendable {
    enum Kind: Sendable {
        case value(any Encodable & Sendable)
        case reference(ObjectID)
    }

    let kind: Kind

    static func value(_ value: some Encodable & Sendable) -> CallArgument { CallArgument(kind: .value(value)) }
    static func reference<T>(_ ref: ObjectRef<T>) -> CallArgument { CallArgument(kind: .reference(ref.id)) }
}
