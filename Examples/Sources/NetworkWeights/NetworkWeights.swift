import Ray
import RayExamplesKit

/// The seed's TensorFlowVariables helper for our models: a model's weights as named, shaped
/// `NDArray`s (`w0` inputs × outputs, `b0` outputs, `conv` filters × 3 × 3, ...), to read and to
/// set, so weights move
/// between drivers, tasks and actors through the object store, where a reader on the same node
/// sees them without a copy.
public enum NetworkWeights {
    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }

    /// The model's weights by name, each with its shape.
    public static func get(_ model: some NamedParameters) -> [String: NDArray<Float>] {
        let shapes = model.parameterShapes
        return model.parameters.reduce(into: [:]) { arrays, entry in arrays[entry.key] = NDArray(entry.value, shape: shapes[entry.key]!) }
    }

    /// Sets the model's weights from named arrays; every name and shape must match.
    public static func set<Model: NamedParameters>(_ arrays: [String: NDArray<Float>], on model: inout Model) throws(Mismatch) {
        let shapes = model.parameterShapes
        guard Set(arrays.keys) == Set(shapes.keys) else {
            throw Mismatch(description: "the model has weights \(shapes.keys.sorted()), not \(arrays.keys.sorted())")
        }
        var parameters = [String: [Float]]()
        for (name, array) in arrays {
            guard array.shape == shapes[name]! else {
                throw Mismatch(description: "weight \(name) has shape \(shapes[name]!), not \(array.shape)")
            }
            parameters[name] = array.toArray()
        }
        model.parameters = parameters
    }

    /// Puts each weight array in the object store as an object of its own.
    public static func put(_ model: some NamedParameters, in ray: Ray) throws -> [String: ObjectRef<NDArray<Float>>] {
        try get(model).mapValues { try ray.put($0) }
    }

    /// Reads weight arrays from the object store (views of its memory on this node).
    public static func get(_ refs: [String: ObjectRef<NDArray<Float>>], from ray: Ray) async throws -> [String: NDArray<Float>] {
        var arrays = [String: NDArray<Float>]()
        for (name, ref) in refs { arrays[name] = try await ray.get(ref) }
        return arrays
    }
}
