import RayCore
import RayTransport

/// How a raylet of a multi-node cluster reaches the other nodes: the listener other raylets
/// connect to (TCP, authenticated with the cluster token), the address it tells them, and how it
/// connects to theirs. A raylet of a private single-machine cluster has none.
public struct RayletNetwork: Sendable {
    public var listener: Listener
    /// `ip:port` of `listener`, as other nodes reach it.
    public var advertisedAddress: String
    /// Opens an authenticated connection to another raylet's advertised address.
    public var connect: @Sendable (String) throws -> FramedConnection
    /// Where the programs of jobs whose drivers are on other nodes come from; nil runs the path
    /// each driver named.
    public var programs: ProgramResolver?

    public init(listener: Listener, advertisedAddress: String, programs: ProgramResolver? = nil,
                connect: @escaping @Sendable (String) throws -> FramedConnection) {
        self.listener = listener
        self.advertisedAddress = advertisedAddress
        self.programs = programs
        self.connect = connect
    }
}
