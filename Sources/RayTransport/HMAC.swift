import CRaySupport

/// HMAC-SHA256 (RFC 2104) through the system's libcrypto: the keyed hash of the cluster token's
/// challenge and response (`TokenHandshake`).
enum HMAC {
    static let byteCount = 32

    static func sha256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        let rc = key.withUnsafeBytes { key in
            data.withUnsafeBytes { data in
                out.withUnsafeMutableBufferPointer { out in
                    cray_hmac_sha256(key.baseAddress, key.count, data.baseAddress, data.count, out.baseAddress)
                }
            }
        }
        // Only a broken libcrypto fails here; going on would compare against zeros.
        precondition(rc == 0, "HMAC-SHA256 from libcrypto failed")
        return out
    }
}
