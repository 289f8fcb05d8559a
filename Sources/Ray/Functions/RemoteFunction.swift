import RayCore

/// A remote function: a named, non-private type whose `run` executes as a task in a worker
/// process. Conform through the protocol for its number of arguments, `RemoteFunction0` to
/// `RemoteFunction6`, which gives the type its `remote(...)` calls:
///
/// ```swift
/// struct Add: RemoteFunction2 {
///     static func run(_ a: Int, _ b: Int) -> Int { a + b }
/// }
/// let sum = try Add.remote(1, 2)          // ObjectRef<Int>, at once
/// ```
///
/// Workers are this same executable started again; they find the type by its mangled name, so
/// it must not be `private` or `fileprivate` (those names hold addresses).
public protocol RemoteFunction: Sendable {
    /// What each call needs while it runs (default: one CPU). Calls may override it.
    static var resources: Resources { get }
    /// Decodes the arguments, calls `run` and encodes its result; provided by the arity protocols.
    static func _execute(_ arguments: TaskArguments) async throws -> [PayloadParts]
    /// How many objects a call returns (more than one for a `Returns2`/`Returns3` result).
    static var _returnCount: Int { get }
}

extension RemoteFunction {
    public static var resources: Resources { Resources(cpus: 1) }

    /// Calls with per-call options, e.g. `Train.options(resources: .init(gpus: 1)).remote(x)`.
    public static func options(resources: Resources) -> RemoteCall<Self> {
        RemoteCall(resources: resources)
    }

    /// The name workers look the function up by.
    static var wireName: String { _mangledTypeName(Self.self) ?? String(reflecting: Self.self) }

    /// The payloads of a result: one, or one per part of a multiple-return result.
    public static func _payloads<Output: Encodable>(of output: Output) throws -> [PayloadParts] {
        if let multiple = output as? any MultipleReturnValues { return try multiple.partPayloads() }
        return [try .of(output)]
    }

    /// The number of objects a result of type `Output` becomes.
    public static func _returnCount<Output>(of type: Output.Type) -> Int {
        (Output.self as? any MultipleReturnValues.Type)?.count ?? 1
    }
}
