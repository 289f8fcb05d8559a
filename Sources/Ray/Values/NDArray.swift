import RayCore

/// A shaped, n-dimensional array of numbers, stored row-major. Arrays that `get` returns from
/// the local object store are read-only views of the store's shared memory: no copy is made, and
/// the object stays pinned in the store while any view of it lives. Arrays you build yourself
/// own their memory.
public struct NDArray<Element: NumericElement & Codable & Sendable>: @unchecked Sendable, RandomAccessCollection, Codable {
    /// The extent of each dimension.
    public let shape: [Int]
    private let base: UnsafeBufferPointer<Element>
    private let owner: AnyObject

    /// An array that owns a copy of `elements`, with `shape` (default: one dimension).
    public init(_ elements: [Element], shape: [Int]? = nil) {
        let shape = shape ?? [elements.count]
        precondition(shape.reduce(1, *) == elements.count, "shape \(shape) does not hold \(elements.count) elements")
        let storage = OwnedElements(elements)
        self.shape = shape
        owner = storage
        base = storage.buffer
    }

    /// An array of `shape` filled with `value`.
    public init(repeating value: Element, shape: [Int]) {
        self.init([Element](repeating: value, count: shape.reduce(1, *)), shape: shape)
    }

    init(view: UnsafeBufferPointer<Element>, shape: [Int], owner: ObjectBuffer) {
        self.shape = shape
        base = view
        self.owner = owner
    }

    /// Whether this array is a view of shared memory in the object store.
    public var isStoreView: Bool { owner is ObjectBuffer }

    public var startIndex: Int { 0 }
    public var endIndex: Int { base.count }
    public subscript(position: Int) -> Element { base[position] }

    /// The element at a multi-dimensional index.
    public subscript(index: [Int]) -> Element {
        precondition(index.count == shape.count, "index \(index) has \(index.count) dimensions, the array \(shape.count)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) is out of bounds for shape \(shape)")
            flat = flat * extent + i
        }
        return base[flat]
    }

    /// Reads the elements in place, without copying.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(base)
    }

    /// A copy of the elements that the caller may mutate.
    public func toArray() -> [Element] { Array(base) }

    private enum CodingKeys: String, CodingKey { case shape, data }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape, forKey: .shape)
        try container.encode(toArray(), forKey: .data)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let data = try container.decode([Element].self, forKey: .data)
        guard Self.elementCount(of: shape) == data.count else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container,
                                                   debugDescription: "shape \(shape) does not hold \(data.count) elements")
        }
        self.init(data, shape: shape)
    }

    /// The number of elements of `shape`, or nil when an extent is negative or the product of
    /// the extents overflows on the way (decoded shapes may be corrupt).
    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}

extension NDArray: Equatable where Element: Equatable {
    public static func == (lhs: NDArray, rhs: NDArray) -> Bool {
        lhs.shape == rhs.shape && lhs.elementsEqual(rhs)
    }
}

extension NDArray: TensorStorable {
    static var tensorDType: NumericDType { Element.dtype }
    var tensorShape: [Int] { shape }

    func withTensorBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(base))
    }

    static func fromTensor(_ layout: TensorLayout, owner: ObjectBuffer) throws -> NDArray {
        try checkDType(layout)
        let count = layout.data.count / MemoryLayout<Element>.stride
        let start = layout.data.baseAddress?.assumingMemoryBound(to: Element.self)
        return NDArray(view: UnsafeBufferPointer(start: start, count: count), shape: layout.shape, owner: owner)
    }
}

/// Heap storage for arrays built in this process.
private final class OwnedElements<Element>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Element>

    init(_ elements: [Element]) {
        let memory = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(elements.count, 1))
        _ = memory.initialize(from: elements)
        buffer = UnsafeBufferPointer(rebasing: memory[0..<elements.count])
    }

    deinit { UnsafeMutableBufferPointer(mutating: buffer).deallocate() }
}
