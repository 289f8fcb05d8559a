/// Arrays the codec copies as one block of little-endian bytes (MessagePack extension type 2)
/// instead of encoding element by element.
protocol BulkNumericArray {
    static var elementDType: NumericDType { get }
    /// Calls `body` with the elements' little-endian bytes.
    func withLittleEndianBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    /// Creates an array from little-endian element bytes; `bytes.count` is a multiple of the
    /// element width.
    init(littleEndianBytes bytes: UnsafeRawBufferPointer)
}

// The element bytes are copied as they sit in memory, which is the wire's little-endian order
// only on little-endian hosts.
#if _endian(big)
#error("BulkNumericArray copies element memory as little-endian bytes, which needs a little-endian platform")
#endif

extension Array: BulkNumericArray where Element: NumericElement {
    static var elementDType: NumericDType { Element.dtype }

    func withLittleEndianBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }

    init(littleEndianBytes bytes: UnsafeRawBufferPointer) {
        let count = bytes.count / MemoryLayout<Element>.stride
        self.init(unsafeUninitializedCapacity: count) { buffer, initializedCount in
            if count > 0 {
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
            }
            initializedCount = count
        }
    }
}
