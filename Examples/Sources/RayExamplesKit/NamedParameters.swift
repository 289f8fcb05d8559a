/// A model whose parameters are named arrays of known shapes: what the weights helper moves
/// between processes.
public protocol NamedParameters {
    var parameters: [String: [Float]] { get set }
    var parameterShapes: [String: [Int]] { get }
}
