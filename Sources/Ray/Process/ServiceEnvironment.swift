import RayCore

/// How a parent passes a service's configuration through its environment, and how the service
/// reads it back.
enum ServiceEnvironment {
    /// `CPU=2;GPU=0;disk=1`: names may not contain `;` or `=`.
    static func encode(_ resources: Resources) -> String {
        resources.quantities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    static func decodeResources(_ text: String) throws -> Resources {
        var quantities = [String: Double]()
        for part in text.split(separator: ";") where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2, let amount = Double(pieces[1]), amount >= 0 else {
                throw RayError.invalidArgument("bad resource entry \(part) in \(text)")
            }
            quantities[String(pieces[0])] = amount
        }
        return Resources(quantities: quantities)
    }

    static func validate(_ resources: Resources) throws {
        for (name, amount) in resources.quantities {
            guard !name.isEmpty, !name.contains(";"), !name.contains("=") else {
                throw RayError.invalidArgument("resource name \"\(name)\" may not be empty or contain ';' or '='")
            }
            guard amount.isFinite, amount >= 0 else { throw RayError.invalidArgument("resource \(name) = \(amount) is not a valid quantity") }
        }
    }
}
