import Ray

/// Runs `body` on a local cluster of `cpus` CPUs started for it, and stops the cluster after,
/// whether `body` returns or throws.
public func withLocalCluster<R>(cpus: Int, _ body: (Ray) async throws -> R) async throws -> R {
    let ray = try await Ray.start(RayOptions(cpus: Double(cpus)))
    do {
        let result = try await body(ray)
        await ray.shutdown()
        return result
    } catch {
        await ray.shutdown()
        throw error
    }
}
