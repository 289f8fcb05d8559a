import RayCore

/// A client's `get` or `wait` that is waiting for objects to be sealed.
struct ObjectWaiter {
    enum Kind {
        case get
        /// Another node pulls the objects: answered by sending their bytes, not their locations.
        case pull
        case wait(numReturns: Int, deadline: Double?)
    }

    let client: Int
    let request: UInt64
    let ids: [ObjectID]
    let kind: Kind
    /// Whether it had to wait (and so counts against the client's pending waits).
    var pending = false
    /// How many distinct objects it names, and how many of them are not sealed yet: kept up to
    /// date on each seal, so checking a waiter costs O(1), not O(objects named).
    var distinct = 0
    var missing = 0
}
