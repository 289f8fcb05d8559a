/// Why a read from MessagePack bytes failed, and where. Readers throw this typed error so the
/// success path stays cheap; the decoder turns it into a `DecodingError` once it knows the
/// coding path and the Swift type it was after.
struct MessagePackReadError: Error {
    enum Kind {
        /// The bytes are not valid MessagePack, are cut short, or hold a value out of range.
        case corrupted(String)
        /// The bytes are valid but hold something else; `expected` overrides the Swift type name.
        case mismatch(expected: String?, found: String)
    }

    let kind: Kind
    /// The byte offset of the value (or field) that could not be read.
    let offset: Int

    static func corrupted(_ message: String, at offset: Int) -> MessagePackReadError {
        MessagePackReadError(kind: .corrupted(message), offset: offset)
    }

    static func mismatch(expected: String? = nil, found: String, at offset: Int) -> MessagePackReadError {
        MessagePackReadError(kind: .mismatch(expected: expected, found: found), offset: offset)
    }

    func decodingError(expected type: Any.Type, codingPath: [any CodingKey]) -> DecodingError {
        switch kind {
        case .corrupted(let message):
            return .dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(message) at byte offset \(offset)"))
        case .mismatch(let expected, let found):
            let description = "expected \(expected ?? String(describing: type)), found \(found) at byte offset \(offset)"
            return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: description))
        }
    }
}
