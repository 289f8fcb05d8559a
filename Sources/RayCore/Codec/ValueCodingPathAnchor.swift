/// Where a decoding container's coding path comes from, without building an array per value:
/// the first `depth` keys of the decoder's key stack, which stay valid while the value that made
/// the container is being decoded, then `keys` of nested containers, which outlive that scope
/// and so carry their own.
struct ValueCodingPathAnchor {
    let depth: Int
    let keys: [any CodingKey]

    static let root = ValueCodingPathAnchor(depth: 0, keys: [])

    func appending(_ key: some CodingKey) -> ValueCodingPathAnchor {
        ValueCodingPathAnchor(depth: depth, keys: keys + [key])
    }
}
