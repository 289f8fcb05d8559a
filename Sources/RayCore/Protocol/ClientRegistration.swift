/// The first frame on every connection to a raylet: who is connecting.
public struct ClientRegistration: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case driver = 0
        case worker = 1
    }

    public static let protocolVersion: UInt32 = 2

    public var protocolVersion: UInt32
    public var kind: Kind
    public var pid: Int32
    public var jobID: JobID
    /// For workers: the token the raylet gave the process it spawned, to match the two.
    public var workerToken: UInt64
    /// For drivers: the executable that the raylet starts as this job's workers.
    public var executablePath: String

    public init(kind: Kind, pid: Int32, jobID: JobID, workerToken: UInt64 = 0, executablePath: String = "",
                protocolVersion: UInt32 = ClientRegistration.protocolVersion) {
        self.protocolVersion = protocolVersion
        self.kind = kind
        self.pid = pid
        self.jobID = jobID
        self.workerToken = workerToken
        self.executablePath = executablePath
    }

    public func write(to w: inout WireWriter) {
        w.u32(protocolVersion)
        w.u8(kind.rawValue)
        w.u32(UInt32(bitPattern: pid))
        w.u32(jobID.value)
        w.u64(workerToken)
        w.string(executablePath)
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ClientRegistration {
        let version = try r.u32()
        let tag = try r.u8()
        guard let kind = Kind(rawValue: tag) else { throw WireError.invalid("client kind \(tag)") }
        return ClientRegistration(kind: kind, pid: Int32(bitPattern: try r.u32()), jobID: JobID(try r.u32()),
                                  workerToken: try r.u64(), executablePath: try r.string(), protocolVersion: version)
    }
}
