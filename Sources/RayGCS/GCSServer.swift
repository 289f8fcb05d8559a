import Foundation
import RayCore
import RayTransport
import Synchronization

/// The global control store: the cluster's tables (jobs, nodes, errors) and the publisher of
/// error notices to the drivers that subscribed. One per cluster.
public final class GCSServer: Sendable {
    private struct Tables {
        var nextJob: UInt32 = 1
        var nodes: [NodeID: NodeInfo] = [:]
        var errors: [ErrorRecord] = []
        var subscribers: [JobID: [ObjectIdentifier: FramedConnection]] = [:]
        /// Named actors: any driver or worker of the cluster can look a handle up by name.
        var actorNames: [String: TaskID] = [:]
    }

    private let tables = Mutex(Tables())
    private let listener: Listener
    private let log: ServiceLog

    public init(socketPath: String, secret: SessionSecret, log: ServiceLog) throws {
        listener = try Listener(path: socketPath, secret: secret, log: log)
        self.log = log
    }

    public func start() {
        listener.start { [self] connection in
            // Each authenticated connection arrives on a thread of its own, which reads it.
            connection.readLoop(onMessage: { [self] message in
                handle(message, from: connection)
            }, onClose: { [self] error in
                if case .malformed = error { log.warning("closing a connection that sent a bad frame: \(error)") }
                let key = ObjectIdentifier(connection)
                tables.withLock { tables in
                    for job in tables.subscribers.keys { tables.subscribers[job]?[key] = nil }
                }
            })
        }
    }

    public func stop() { listener.close() }

    func handle(_ message: Message, from connection: FramedConnection) {
        var replies: [(FramedConnection, Message)] = []
        tables.withLock { tables in
            switch message {
            case let .registerJob(request):
                let job = JobID(tables.nextJob)
                tables.nextJob += 1
                replies.append((connection, .jobRegistered(request: request, jobID: job)))
            case let .registerNode(node):
                tables.nodes[node.nodeID] = node
            case let .reportError(record):
                tables.errors.append(record)
                for subscriber in (tables.subscribers[record.jobID] ?? [:]).values {
                    replies.append((subscriber, .errorNotice(record)))
                }
            case let .subscribeErrors(job):
                tables.subscribers[job, default: [:]][ObjectIdentifier(connection)] = connection
            case let .getErrors(request, job):
                replies.append((connection, .errorsReply(request: request, errors: tables.errors.filter { $0.jobID == job })))
            case let .getNodes(request):
                replies.append((connection, .nodesReply(request: request, nodes: Array(tables.nodes.values))))
            case let .registerActorName(request, name, actorID):
                if let existing = tables.actorNames[name], existing != actorID {
                    replies.append((connection, .actorNameReply(request: request, error: "an actor named \"\(name)\" already exists")))
                } else {
                    tables.actorNames[name] = actorID
                    replies.append((connection, .actorNameReply(request: request, error: nil)))
                }
            case let .lookupActorName(request, name):
                replies.append((connection, .actorLookupReply(request: request, actorID: tables.actorNames[name])))
            default:
                log.warning("control store ignores unexpected message \(message.tag)")
            }
        }
        for (target, reply) in replies { try? target.send(reply) }
    }
}
