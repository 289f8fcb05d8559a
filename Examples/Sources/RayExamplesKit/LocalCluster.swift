import Ray

/// Runs `body` on a local cluster of `cpus` CPUs (and `gpus` GPUs) started for it, and stops the
/// cluster after, whether `body` returns or throws.
public func withLocalCluster<R>(cpus: Int, gpus: Int = 0, _ body: (Ray) async throws -> R) async throws -> R {
    let ray = try await Ray.start(RayOptions(cpus: Double(cpus), gpus: Double(gpus)))
    do {
        let result = try await body(ray)
        await ray.shutdown()
        return result
    } catch {
        await ray.shutdown()
        throw error
    }
}
