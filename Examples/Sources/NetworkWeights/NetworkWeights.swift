import Ray
import RayExamplesKit

/// The seed's TensorFlowVariables helper for our networks: a network's weights as named, shaped
/// `NDArray`s (`w0` inputs × outputs, `b0` outputs, ...), to read and to set, so weights move
/// between drivers, tasks and actors through the object store, where a reader on the same node
/// sees them without a copy.
public enum NetworkWeights {
    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }

    /// The network's weights by name, each with its shape.
    public static func get(_ network: DenseNetwork) -> [String: NDArray<Float>] {
        var arrays = [String: NDArray<Float>]()
        let parameters = network.parameters
        for l in 0..<network.layers.count - 1 {
            arrays["w\(l)"] = NDArray(parameters["w\(l)"]!, shape: [network.layers[l], network.layers[l + 1]])
            arrays["b\(l)"] = NDArray(parameters["b\(l)"]!, shape: [network.layers[l + 1]])
        }
        return arrays
    }

    /// Sets the network's weights from named arrays; every name and shape must match.
    public static func set(_ arrays: [String: NDArray<Float>], on network: inout DenseNetwork) throws(Mismatch) {
        let expected = get(network)
        guard Set(arrays.keys) == Set(expected.keys) else {
            throw Mismatch(description: "the network has weights \(expected.keys.sorted()), not \(arrays.keys.sorted())")
        }
        var parameters = [String: [Float]]()
        for (name, array) in arrays {
            guard array.shape == expected[name]!.shape else {
                throw Mismatch(description: "weight \(name) has shape \(expected[name]!.shape), not \(array.shape)")
            }
            parameters[name] = array.toArray()
        }
        network.parameters = parameters
    }

    /// Puts each weight array in the object store as an object of its own.
    public static func put(_ network: DenseNetwork, in ray: Ray) throws -> [String: ObjectRef<NDArray<Float>>] {
        try get(network).mapValues { try ray.put($0) }
    }

    /// Reads weight arrays from the object store (views of its memory on this node).
    public static func get(_ refs: [String: ObjectRef<NDArray<Float>>], from ray: Ray) async throws -> [String: NDArray<Float>] {
        var arrays = [String: NDArray<Float>]()
        for (name, ref) in refs { arrays[name] = try await ray.get(ref) }
        return arrays
    }
}
