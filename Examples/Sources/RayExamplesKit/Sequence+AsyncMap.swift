extension Sequence {
    /// `map` with an async transform, one element after another (creating actors, sending calls).
    public func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results = [T]()
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
