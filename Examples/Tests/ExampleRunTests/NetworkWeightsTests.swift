import NetworkWeights
import Ray
import RayExamplesKit
import Testing

extension ExampleRuns {
    @Suite struct NetworkWeightsTests {
        @Test func weightsTravelThroughTheStoreAsViewsAndSetAnotherNetwork() async throws {
            try await Ray.withCluster(RayOptions(cpus: 1)) { ray in try await check(ray) }
        }

        private func check(_ ray: Ray) async throws {
            let trained = DenseNetwork(layers: [4, 16, 3], initScale: 0.5, seed: 7)
            let refs = try NetworkWeights.put(trained, in: ray)
            #expect(Set(refs.keys) == ["w0", "b0", "w1", "b1"])
            let arrays = try await NetworkWeights.get(refs, from: ray)
            #expect(arrays["w0"]?.shape == [4, 16] && arrays["b1"]?.shape == [3])
            let views = arrays.values.allSatisfy { $0.isStoreView }
            #expect(views)
            var copy = DenseNetwork(layers: [4, 16, 3], initScale: 0.5, seed: 8)
            try NetworkWeights.set(arrays, on: &copy)
            #expect(copy.parameters == trained.parameters)
            var other = DenseNetwork(layers: [4, 8, 3], initScale: 0.5, seed: 8)
            do {
                try NetworkWeights.set(arrays, on: &other)
                Issue.record("weights of another shape were accepted")
            } catch {
                #expect(error.description.contains("shape"))
            }
        }
    }
}
