/// The coding keys the codec makes itself: array positions and the `super` key.
enum ValueCodingKey: CodingKey {
    case index(Int)
    case named(String)

    static let superKey = ValueCodingKey.named("super")

    init(stringValue: String) {
        self = .named(stringValue)
    }

    init(intValue: Int) {
        self = .index(intValue)
    }

    // Index keys format their string only when asked, as one is made for every array element.
    var stringValue: String {
        switch self {
        case .index(let index): "Index \(index)"
        case .named(let name): name
        }
    }

    var intValue: Int? {
        if case .index(let index) = self { index } else { nil }
    }
}
