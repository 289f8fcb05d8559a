import RayCore

/// How to create one actor.
public struct ActorOptions: Sendable {
    /// Overrides the type's `resources`.
    public var resources: Resources?
    /// A cluster-wide name other programs can look the actor up by (`Ray.actor(named:)`).
    public var name: String?
    /// The actor lives until `kill`, not until its last handle is gone.
    public var detached: Bool
    /// Overrides the type's `maxConcurrency`.
    public var maxConcurrency: Int?

    public init(resources: Resources? = nil, name: String? = nil, detached: Bool = false, maxConcurrency: Int? = nil) {
        self.resources = resources
        self.name = name
        self.detached = detached
        self.maxConcurrency = maxConcurrency
    }
}
