import Distributed
import RayCore

/// Records a method call's arguments (MessagePack, one blob each) and generic substitutions.
public struct RayInvocationEncoder: DistributedTargetInvocationEncoder {
    public typealias SerializationRequirement = Codable

    var arguments: [[UInt8]] = []
    var substitutions: [String] = []
    /// The objects that refs (and actor handles) inside the arguments stand for.
    var containedObjectIDs: [ObjectID] = []

    public mutating func recordGenericSubstitution<T>(_ type: T.Type) throws {
        guard let name = _mangledTypeName(T.self) else {
            throw RayError.serialization("the generic argument \(T.self) has no stable name")
        }
        substitutions.append(name)
    }

    public mutating func recordArgument<Value: Codable>(_ argument: RemoteCallArgument<Value>) throws {
        let encoded = try ObjectCodec.encode(argument.value)
        arguments.append(encoded.bytes)
        containedObjectIDs.append(contentsOf: encoded.containedObjectIDs)
    }

    public mutating func recordReturnType<R: Codable>(_ type: R.Type) throws {}
    public mutating func recordErrorType<E: Error>(_ type: E.Type) throws {}
    public mutating func doneRecording() throws {}
}
