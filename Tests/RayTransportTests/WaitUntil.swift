import Testing

/// Polls `condition` for up to 5 seconds and expects it to hold by then.
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    #expect(condition())
}
