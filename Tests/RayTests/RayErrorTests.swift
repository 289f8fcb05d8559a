import Testing
@testable import Ray

@Suite struct RayErrorTests {
    @Test func theNotStartedErrorNamesOnlyWhatExists() {
        let text = RayError.notStarted.description
        #expect(text.contains("Ray.start()"))
        #expect(!text.contains("connect"))
    }
}
