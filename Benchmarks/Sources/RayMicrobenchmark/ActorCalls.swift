import Ray

/// Submits `count` calls to one actor without waiting, then waits for all their results: the
/// shape of Ray's "actor calls async" benchmarks.
@MainActor
func callMany<A: RayActor, R: Codable & Sendable>(_ handle: ActorHandle<A>, count: Int, using ray: Ray,
                                                  _ call: @escaping @Sendable (A, Int) async throws -> R) async throws {
    var refs: [ObjectRef<R>] = []
    refs.reserveCapacity(count)
    for i in 0..<count { refs.append(try await handle.remote { try await call($0, i) }) }
    _ = try await ray.get(refs)
}
