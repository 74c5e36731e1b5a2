/// Which part of a dataset an image belongs to. The raw values are what the cache's `split`
/// dataset stores.
public enum DatasetSubset: UInt8, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case train = 0
    case validation = 1
    case test = 2

    public var description: String {
        switch self {
        case .train: return "train"
        case .validation: return "validation"
        case .test: return "test"
        }
    }
}
