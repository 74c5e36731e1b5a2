/// Why a metric could not be computed: bad shapes, empty sets, images too small for the
/// metric's windows, or non-finite pixel values. The message says what was given and what
/// was expected.
public struct ImageMetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        case invalidShape = "invalid shape"
        case emptySet = "empty image set"
        case tooSmall = "images too small"
        case mismatchedSets = "mismatched image sets"
        case nonFinite = "non-finite pixel values"
        case invalidOption = "invalid option"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
