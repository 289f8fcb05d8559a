import RayCore

/// What the control store knows of the whole cluster.
extension Ray {
    /// The cluster's nodes, alive and dead, with what each has and has free (the seed's
    /// `ray.global_state`, Ray's `ray.nodes()`).
    public func nodes() async throws -> [NodeStatus] {
        try await core.nodes()
    }

    /// Stores a small value under `key` in the cluster's key-value table, where every driver,
    /// task and actor of the cluster can read it (`nil` deletes the key). Keys have at most
    /// 1 KiB, values at most 1 MiB, and the table holds 64 MiB; beyond that this throws.
    public func setValue(_ value: [UInt8]?, forKey key: String) async throws {
        try await core.setKeyValue(value, forKey: key)
    }

    /// The value stored under `key` in the cluster's key-value table, if any.
    public func value(forKey key: String) async throws -> [UInt8]? {
        try await core.keyValue(forKey: key)
    }
}
