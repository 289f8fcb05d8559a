import RayCore

/// Where callers reach an actor: the value of its handle object, stored when its initializer
/// has run and its worker listens. Callers on the actor's node use its Unix socket in the
/// session directory; callers on other nodes connect to `tcp` with the cluster's token.
struct ActorAddress: Codable, Sendable, Equatable {
    /// The node the actor lives on.
    var node: UInt64
    /// `ip:port` of the actor's TCP listener; empty in a private single-machine cluster.
    var tcp: String
}
