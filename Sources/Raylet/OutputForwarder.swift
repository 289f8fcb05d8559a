import Foundation
import Glibc

/// Copies a worker's output to ours line by line, prefixed with the worker's pid, so the
/// driver's terminal shows which process printed what.
enum OutputForwarder {
    /// Also keeps the last of the output in `tail`, when given. `group` is entered until the
    /// output ends and all of it is written.
    static func start(fd: Int32, prefix: String, target: Int32, group: DispatchGroup, tail: OutputTail? = nil) {
        group.enter()
        let thread = Thread {
            var pending = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let prefixBytes = Array(prefix.utf8)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: chunk[0..<n])
                tail?.append(chunk[0..<n])
                var out = [UInt8]()
                while let newline = pending.firstIndex(of: 10) {
                    out += prefixBytes
                    out += pending[...newline]
                    pending.removeSubrange(...newline)
                }
                if !out.isEmpty { writeAll(target, out) }
            }
            if !pending.isEmpty { writeAll(target, prefixBytes + pending + [10]) }
            close(fd)
            tail?.finish()
            group.leave()
        }
        thread.name = "worker output"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
