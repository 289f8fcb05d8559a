import Distributed
import Synchronization

/// Runs a distributed method of an actor hosted here, as `executeDistributedTarget` does, but
/// finds the method's parameter and return types once per method instead of on every call: the
/// standard library demangles the target's name three times per call, which took a quarter of an
/// actor's time on a small call. Generic methods (whose types depend on the call) take the
/// standard library's path.
enum DistributedTargetRunner {
    /// What the runtime needs to call one method, kept for the life of the process (one entry per
    /// distributed method called).
    private struct Signature: @unchecked Sendable {
        let name: UnsafeBufferPointer<UInt8>
        let parameterTypes: UnsafeMutableBufferPointer<Any.Type>
        let returnType: Any.Type
        /// Nil for methods returning nothing.
        let codableReturnType: (any Codable.Type)?
    }

    private static let signatures = Mutex<[String: Signature?]>([:])

    @concurrent static func run<Act: DistributedActor>(_ target: RemoteCallTarget, on actor: Act, decoder: inout RayInvocationDecoder,
                                                       handler: RayResultHandler) async throws {
        guard decoder.substitutions.isEmpty, let signature = signature(of: target.identifier) else {
            return try await RayActorSystem.shared.executeDistributedTarget(on: actor, target: target, invocationDecoder: &decoder,
                                                                            handler: handler)
        }
        let result = allocate(signature.returnType)
        var filled = false
        defer { release(result, of: signature.returnType, initialized: filled) }
        do {
            try await runtimeExecuteTarget(on: actor, signature.name.baseAddress!, UInt(signature.name.count), argumentDecoder: &decoder,
                                           argumentTypes: UnsafeMutableRawPointer(signature.parameterTypes.baseAddress!),
                                           resultBuffer: result, substitutions: nil, witnessTables: nil, numWitnessTables: 0)
            filled = true
            if let returnType = signature.codableReturnType {
                try await deliver(returnType, from: result, to: handler)
            } else {
                try await handler.onReturnVoid()
            }
        } catch {
            try await handler.onThrow(error: error)
        }
    }

    /// The method's types, looked up on its first call; nil when it is generic or not found (the
    /// standard library's path then reports why).
    private static func signature(of identifier: String) -> Signature? {
        if let known = signatures.withLock({ $0[identifier] }) { return known }
        let found = lookUp(identifier)
        signatures.withLock { $0[identifier] = found }
        return found
    }

    private static func lookUp(_ identifier: String) -> Signature? {
        let utf8 = Array(identifier.utf8)
        return utf8.withUnsafeBufferPointer { name -> Signature? in
            guard let start = name.baseAddress,
                  _getGenericEnvironmentOfDistributedTarget(start, UInt(name.count)) == nil else { return nil }
            let count = __getParameterCount(start, UInt(name.count))
            guard count >= 0 else { return nil }
            let parameterTypes = UnsafeMutableBufferPointer<Any.Type>.allocate(capacity: max(1, Int(count)))
            let decoded = runtimeParameterTypes(start, UInt(name.count), nil, nil, UnsafeMutableRawPointer(parameterTypes.baseAddress!),
                                                Int(count))
            guard decoded == count, let returnType = __getReturnTypeInfo(start, UInt(name.count), nil, nil) else {
                parameterTypes.deallocate()
                return nil
            }
            let codableReturnType: (any Codable.Type)?
            if returnType == Void.self {
                codableReturnType = nil
            } else if let codable = returnType as? any Codable.Type {
                codableReturnType = codable
            } else {
                parameterTypes.deallocate()
                return nil
            }
            let stored = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: name.count)
            _ = stored.initialize(from: name)
            return Signature(name: UnsafeBufferPointer(stored), parameterTypes: parameterTypes, returnType: returnType,
                             codableReturnType: codableReturnType)
        }
    }

    private static func allocate(_ type: Any.Type) -> UnsafeMutableRawPointer {
        func allocate<R>(_: R.Type) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(UnsafeMutablePointer<R>.allocate(capacity: 1)) }
        return _openExistential(type, do: allocate)
    }

    private static func release(_ buffer: UnsafeMutableRawPointer, of type: Any.Type, initialized: Bool) {
        func release<R>(_: R.Type) {
            let typed = buffer.assumingMemoryBound(to: R.self)
            if initialized { typed.deinitialize(count: 1) }
            typed.deallocate()
        }
        _openExistential(type, do: release)
    }

    private static func deliver<R: Codable>(_: R.Type, from buffer: UnsafeMutableRawPointer, to handler: RayResultHandler) async throws {
        try await handler.onReturn(value: buffer.load(as: R.self))
    }
}

/// The runtime entry that `executeDistributedTarget` itself calls once it has the types: decodes
/// the arguments through the decoder and calls the method's accessor. `@concurrent`, because this
/// module makes async functions `nonisolated(nonsending)`, which adds a hidden first parameter
/// (the caller's isolation) that the runtime's entry does not take.
@_silgen_name("swift_distributed_execute_target")
@concurrent private func runtimeExecuteTarget<D: DistributedTargetInvocationDecoder>(
    on actor: AnyObject,
    _ targetName: UnsafePointer<UInt8>, _ targetNameLength: UInt,
    argumentDecoder: inout D,
    argumentTypes: UnsafeMutableRawPointer,
    resultBuffer: UnsafeMutableRawPointer,
    substitutions: UnsafeRawPointer?,
    witnessTables: UnsafeRawPointer?,
    numWitnessTables: UInt
) async throws

/// `__getParameterTypeInfo` takes its buffer as a `Builtin.RawPointer`, which only the standard
/// library can spell; this is the same entry with an ordinary raw pointer.
@_silgen_name("swift_func_getParameterTypeInfo")
private func runtimeParameterTypes(
    _ typeNameStart: UnsafePointer<UInt8>, _ typeNameLength: UInt,
    _ genericEnv: UnsafeRawPointer?, _ genericArguments: UnsafeRawPointer?,
    _ types: UnsafeMutableRawPointer, _ typesLength: Int
) -> Int32
