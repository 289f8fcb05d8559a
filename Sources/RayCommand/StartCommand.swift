import ArgumentParser
import Foundation
import Glibc
import Ray
import RayCore

/// `ray start`: the head node (control store and raylet) or a node that joins one, as daemons.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start this machine's node: the head with --head, or one that joins the head at --address.")

    @Flag(help: "Start the head node: the control store and a raylet.")
    var head = false

    @Option(help: "The head's address (ip:port) to join.")
    var address: String?

    @Option(help: "The control store's port (head only).")
    var port: UInt16 = 6379

    @Option(name: .customLong("node-ip-address"), help: "This machine's address: services bind to it and other nodes reach them there.")
    var nodeIPAddress = "127.0.0.1"

    @Option(name: .customLong("num-cpus"), help: "CPUs of this node (default: the machine's cores).")
    var numCPUs: Double?

    @Option(name: .customLong("num-gpus"), help: "GPUs of this node.")
    var numGPUs: Double = 0

    @Option(help: #"Custom resources as JSON, e.g. '{"disk": 2}'."#)
    var resources: String?

    @Option(name: .customLong("object-store-memory"), help: "Bytes of this node's shared-memory object store (default: a quarter of memory).")
    var objectStoreMemory: Int?

    @Option(name: .customLong("token-file"), help: "A copy of the head's cluster token file (mode 0600), to join.")
    var tokenFile: String?

    @Option(name: .customLong("node-death-timeout"), help: "Seconds without a heartbeat before a node is declared dead (head only).")
    var nodeDeathTimeout: Double?

    @Flag(help: "Stay in the foreground until the node's services exit; Ctrl-C stops them.")
    var block = false

    func validate() throws {
        if head == (address != nil) { throw ValidationError("give either --head or --address (the head's ip:port)") }
        if head && tokenFile != nil { throw ValidationError("--token-file is for joining; the head makes the token") }
    }

    func run() throws {
        var custom: [String: Double] = [:]
        if let resources {
            guard let object = try? JSONSerialization.jsonObject(with: Data(resources.utf8)) as? [String: Any] else {
                throw ValidationError(#"--resources must be a JSON object of numbers, e.g. '{"disk": 2}'"#)
            }
            for (name, value) in object {
                guard let amount = (value as? NSNumber)?.doubleValue else { throw ValidationError("--resources: \(name) is not a number") }
                custom[name] = amount
            }
        }
        let options = NodeLauncher.Options(head: head, address: address, port: port, nodeIP: nodeIPAddress, cpus: numCPUs, gpus: numGPUs,
                                           customResources: custom, objectStoreMemory: objectStoreMemory, tokenFile: tokenFile,
                                           nodeDeathTimeout: nodeDeathTimeout)
        let record: NodeRecord
        do {
            record = try NodeLauncher.start(options)
        } catch {
            throw commandFailure("ray start: \(error)")
        }
        if head {
            print("""
                Started the head node at \(record.gcsAddress) (session \(record.sessionDirectory)).
                The cluster token is in \(record.tokenFile) (mode 0600): copy it to every machine that joins.
                To join from another machine:
                  ray start --address \(record.gcsAddress) --token-file \(record.tokenFile)
                To run a program on the cluster from this machine:
                  RAY_ADDRESS=\(record.gcsAddress) swift run my-program
                To stop: ray stop
                """)
        } else {
            print("""
                Started a node at \(record.nodeIP) in the cluster of \(record.gcsAddress) (session \(record.sessionDirectory)).
                To stop: ray stop
                """)
        }
        if block { try waitForServices(of: record) }
    }

    /// Blocks until every service exits; SIGINT or SIGTERM stops them first.
    private func waitForServices(of record: NodeRecord) throws {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let signals: [Int32] = [SIGINT, SIGTERM]
        let sources = signals.map { signalNumber -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                _ = NodeLauncher.stopAll()
                Glibc.exit(0)
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        while record.services.contains(where: { (service: NodeRecord.Service) in kill(service.pid, 0) == 0 }) {
            usleep(200_000)
        }
    }
}

/// Reports a failure as one line on standard error; the command then exits with status 1.
func commandFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode.failure
}
