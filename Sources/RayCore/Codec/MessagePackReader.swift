/// Reads MessagePack values from a byte buffer by offset. Every read is bounds-checked and
/// throws instead of trapping, so truncated or malformed input cannot crash the process.
struct MessagePackReader {
    let bytes: UnsafeRawBufferPointer

    /// Parses the value starting at `offset`. `end` is where the next value starts: after the
    /// payload for scalars, strings, binaries and extensions, at the first element for arrays
    /// and maps.
    func header(at offset: Int) throws(MessagePackReadError) -> (header: MessagePackHeader, end: Int) {
        let marker = try byte(at: offset)
        let next = offset + 1
        switch marker {
        case 0x00...0x7f:
            return (.unsigned(UInt64(marker)), next)
        case 0x80...0x8f:
            return (.map(count: try containerCount(Int(marker & 0x0f), pairs: true, start: next, at: offset)), next)
        case 0x90...0x9f:
            return (.array(count: try containerCount(Int(marker & 0x0f), pairs: false, start: next, at: offset)), next)
        case 0xa0...0xbf:
            let payload = try payloadRange(length: Int(marker & 0x1f), start: next, at: offset)
            return (.string(payload), payload.upperBound)
        case 0xc0:
            return (.nilValue, next)
        case 0xc1:
            throw .corrupted("reserved marker byte 0xc1", at: offset)
        case 0xc2, 0xc3:
            return (.bool(marker == 0xc3), next)
        case 0xc4...0xc6:  // bin 8/16/32
            let (length, start) = try length(width: 1 << Int(marker - 0xc4), at: next)
            let payload = try payloadRange(length: length, start: start, at: offset)
            return (.binary(payload), payload.upperBound)
        case 0xc7...0xc9:  // ext 8/16/32: length, then type, then payload
            let (length, typeOffset) = try length(width: 1 << Int(marker - 0xc7), at: next)
            let type = Int8(bitPattern: try byte(at: typeOffset))
            let payload = try payloadRange(length: length, start: typeOffset + 1, at: offset)
            return (.ext(type: type, payload: payload), payload.upperBound)
        case 0xca:
            return (.float32(Float(bitPattern: try bigEndian(UInt32.self, at: next))), next + 4)
        case 0xcb:
            return (.float64(Double(bitPattern: try bigEndian(UInt64.self, at: next))), next + 8)
        case 0xcc:
            return (.unsigned(UInt64(try byte(at: next))), next + 1)
        case 0xcd:
            return (.unsigned(UInt64(try bigEndian(UInt16.self, at: next))), next + 2)
        case 0xce:
            return (.unsigned(UInt64(try bigEndian(UInt32.self, at: next))), next + 4)
        case 0xcf:
            return (.unsigned(try bigEndian(UInt64.self, at: next)), next + 8)
        case 0xd0:
            return (.signed(Int64(Int8(bitPattern: try byte(at: next)))), next + 1)
        case 0xd1:
            return (.signed(Int64(try bigEndian(Int16.self, at: next))), next + 2)
        case 0xd2:
            return (.signed(Int64(try bigEndian(Int32.self, at: next))), next + 4)
        case 0xd3:
            return (.signed(try bigEndian(Int64.self, at: next)), next + 8)
        case 0xd4...0xd8:  // fixext 1/2/4/8/16: type, then payload
            let type = Int8(bitPattern: try byte(at: next))
            let payload = try payloadRange(length: 1 << Int(marker - 0xd4), start: next + 1, at: offset)
            return (.ext(type: type, payload: payload), payload.upperBound)
        case 0xd9...0xdb:  // str 8/16/32
            let (length, start) = try length(width: 1 << Int(marker - 0xd9), at: next)
            let payload = try payloadRange(length: length, start: start, at: offset)
            return (.string(payload), payload.upperBound)
        case 0xdc, 0xdd:  // array 16/32
            let (count, start) = try length(width: marker == 0xdc ? 2 : 4, at: next)
            return (.array(count: try containerCount(count, pairs: false, start: start, at: offset)), start)
        case 0xde, 0xdf:  // map 16/32
            let (count, start) = try length(width: marker == 0xde ? 2 : 4, at: next)
            return (.map(count: try containerCount(count, pairs: true, start: start, at: offset)), start)
        default:  // negative fixint, 0xe0...0xff
            return (.signed(Int64(Int8(bitPattern: marker))), next)
        }
    }

    /// The offset just past the value at `offset`, walking nested containers with a counter
    /// rather than recursion so hostile nesting cannot exhaust the stack.
    func skipValue(at offset: Int) throws(MessagePackReadError) -> Int {
        var cursor = offset
        var pending = 1
        while pending > 0 {
            let (header, end) = try header(at: cursor)
            pending -= 1
            switch header {
            case .array(let count): pending += count
            case .map(let count): pending += 2 * count
            default: break
            }
            cursor = end
            // Every pending value needs at least one byte; checking this keeps `pending` bounded.
            guard pending <= bytes.count - cursor else {
                throw .corrupted("containers promise \(pending) more values but only \(bytes.count - cursor) bytes remain", at: offset)
            }
        }
        return cursor
    }

    /// The UTF-8 string in `range`, validated.
    func string(in range: Range<Int>, at offset: Int) throws(MessagePackReadError) -> String {
        if range.isEmpty { return "" }
        let result = UnsafeRawBufferPointer(rebasing: bytes[range]).withMemoryRebound(to: UInt8.self) { utf8 in
            // ASCII is valid UTF-8, and `String(decoding:)` builds it much faster than the
            // generic validating initializer.
            utf8.allSatisfy { $0 < 0x80 } ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
        }
        guard let result else { throw .corrupted("string is not valid UTF-8", at: offset) }
        return result
    }

    /// Whether the bytes in `range` are the UTF-8 of `key`.
    func bytes(in range: Range<Int>, equal key: String) -> Bool {
        let utf8 = key.utf8
        guard utf8.count == range.count else { return false }
        let stored = UnsafeRawBufferPointer(rebasing: bytes[range])
        return utf8.withContiguousStorageIfAvailable { stored.elementsEqual($0) } ?? stored.elementsEqual(utf8)
    }

    /// Validates a numeric-array extension payload: its dtype and the range of element bytes.
    func numericArray(payload: Range<Int>, at offset: Int) throws(MessagePackReadError) -> (dtype: NumericDType, elements: Range<Int>) {
        guard !payload.isEmpty else { throw .corrupted("numeric array without a dtype byte", at: offset) }
        let code = bytes[payload.lowerBound]
        guard let dtype = NumericDType(rawValue: code) else {
            throw .corrupted("numeric array with unknown dtype code \(code)", at: offset)
        }
        let elements = payload.lowerBound + 1..<payload.upperBound
        guard elements.count % dtype.byteWidth == 0 else {
            throw .corrupted("numeric array of \(dtype) has \(elements.count) bytes, not a multiple of \(dtype.byteWidth)", at: offset)
        }
        return (dtype, elements)
    }

    /// The element of a validated numeric array at byte `offset`, as the header of the
    /// equivalent scalar so the usual conversions apply.
    func numericElement(_ dtype: NumericDType, at offset: Int) -> MessagePackHeader {
        switch dtype {
        case .float32: .float32(Float(bitPattern: littleEndian(UInt32.self, at: offset)))
        case .float64: .float64(Double(bitPattern: littleEndian(UInt64.self, at: offset)))
        case .int8: .signed(Int64(littleEndian(Int8.self, at: offset)))
        case .int16: .signed(Int64(littleEndian(Int16.self, at: offset)))
        case .int32: .signed(Int64(littleEndian(Int32.self, at: offset)))
        case .int64: .signed(littleEndian(Int64.self, at: offset))
        case .uint8: .unsigned(UInt64(littleEndian(UInt8.self, at: offset)))
        case .uint16: .unsigned(UInt64(littleEndian(UInt16.self, at: offset)))
        case .uint32: .unsigned(UInt64(littleEndian(UInt32.self, at: offset)))
        case .uint64: .unsigned(littleEndian(UInt64.self, at: offset))
        }
    }

    /// The object ID in an extension-type-1 payload.
    func objectID(payload: Range<Int>, at offset: Int) throws(MessagePackReadError) -> ObjectID {
        guard let id = ObjectID(bytes: UnsafeRawBufferPointer(rebasing: bytes[payload])) else {
            throw .corrupted("ObjectID payload is \(payload.count) bytes, not \(ObjectID.byteCount)", at: offset)
        }
        return id
    }

    private func byte(at offset: Int) throws(MessagePackReadError) -> UInt8 {
        guard offset < bytes.count else { throw truncated(needing: 1, at: offset) }
        return bytes[offset]
    }

    private func bigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) throws(MessagePackReadError) -> T {
        guard MemoryLayout<T>.size <= bytes.count - offset else { throw truncated(needing: MemoryLayout<T>.size, at: offset) }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads a `width`-byte big-endian length; returns it and the offset after it.
    private func length(width: Int, at offset: Int) throws(MessagePackReadError) -> (Int, Int) {
        switch width {
        case 1: (Int(try byte(at: offset)), offset + 1)
        case 2: (Int(try bigEndian(UInt16.self, at: offset)), offset + 2)
        default: (Int(try bigEndian(UInt32.self, at: offset)), offset + 4)
        }
    }

    private func payloadRange(length: Int, start: Int, at offset: Int) throws(MessagePackReadError) -> Range<Int> {
        guard length <= bytes.count - start else { throw truncated(needing: length, at: start) }
        return start..<start + length
    }

    /// Rejects counts the remaining bytes cannot hold (each element takes at least one byte),
    /// so a hostile header cannot make the decoder reserve huge amounts of memory.
    private func containerCount(_ count: Int, pairs: Bool, start: Int, at offset: Int) throws(MessagePackReadError) -> Int {
        let remaining = bytes.count - start
        guard count <= (pairs ? remaining / 2 : remaining) else {
            throw .corrupted("\(pairs ? "map" : "array") of \(count) \(pairs ? "entries" : "elements") cannot fit in the \(remaining) remaining bytes", at: offset)
        }
        return count
    }

    private func truncated(needing count: Int, at offset: Int) -> MessagePackReadError {
        .corrupted("unexpected end of input: \(count) bytes needed, \(max(0, bytes.count - offset)) left", at: offset)
    }

    private func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
