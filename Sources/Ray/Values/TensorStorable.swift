import RayCore

/// Values stored as a raw n-dimensional array (the `RT` payload) instead of MessagePack: one
/// memcpy in, and readable in place out.
protocol TensorStorable: SendableMetatype {
    static var tensorDType: NumericDType { get }
    var tensorShape: [Int] { get }
    func withTensorBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    /// Builds the value from a tensor in the store; `owner` keeps that memory alive and pinned.
    static func fromTensor(_ layout: TensorLayout, owner: ObjectBuffer) throws -> Self
}

extension TensorStorable {
    static func checkDType(_ layout: TensorLayout) throws {
        guard layout.dtype == tensorDType else {
            throw RayError.serialization("the object holds an array of \(layout.dtype), not of \(tensorDType) as \(Self.self) needs")
        }
    }
}

extension Array: TensorStorable where Element: NumericElement {
    static var tensorDType: NumericDType { Element.dtype }
    var tensorShape: [Int] { [count] }

    func withTensorBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }

    static func fromTensor(_ layout: TensorLayout, owner: ObjectBuffer) throws -> [Element] {
        try checkDType(layout)
        let count = layout.data.count / MemoryLayout<Element>.stride
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: layout.data)
            initialized = count
        }
    }
}
