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
    /// The value the function returns; a `Returns2`...`Returns4` gives several return objects.
    associatedtype Output: Codable & Sendable
    /// What each call needs while it runs (default: one CPU). Calls may override it.
    static var resources: Resources { get }
    /// Decodes the arguments and calls `run`; provided by the arity protocols.
    static func _execute(_ arguments: TaskArguments) async throws -> Output
}

extension RemoteFunction {
    public static var resources: Resources { Resources(cpus: 1) }

    /// Calls with per-call options, e.g. `Train.options(resources: .init(gpus: 1)).remote(x)`.
    public static func options(resources: Resources) -> RemoteCall<Self> {
        RemoteCall(resources: resources)
    }

    /// The name workers look the function up by.
    static var wireName: String { _mangledTypeName(Self.self) ?? String(reflecting: Self.self) }

    static var returnCount: Int { (Output.self as? any MultipleReturnValues.Type)?.count ?? 1 }
}
