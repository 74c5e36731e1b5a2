import Yams

/// How many values a run configuration may hold once its YAML aliases are expanded. Yams keeps an
/// aliased node once, but its decoder visits it at every use, so a few hundred bytes of nested
/// aliases (nine levels of ten, 525 bytes) become a billion values and exhaust memory. A real
/// configuration holds a few dozen values; the limit leaves ample room for anchors that share
/// a stage's options.
enum YAMLExpansionLimit {
    static let maximumValues = 10_000

    /// Throws `RunConfigFileError` when `text` holds more than `maximumValues` values, each alias
    /// counted with everything it stands for. Text that is not YAML passes: the decoder says why.
    static func check(_ text: String) throws {
        guard let root = try? Yams.compose(yaml: text) else { return }
        var remaining = maximumValues
        guard countWithin(root, &remaining) else {
            throw RunConfigFileError(
                message: "more than \(maximumValues) values once its aliases are expanded "
                    + "(a run configuration holds a few dozen)")
        }
    }

    /// Counts `node`'s values against `remaining`; false as soon as the budget is spent, so an
    /// expansion of any size is refused after at most `maximumValues` visits.
    private static func countWithin(_ node: Node, _ remaining: inout Int) -> Bool {
        remaining -= 1
        guard remaining >= 0 else { return false }
        switch node {
        case .scalar:
            return true
        case .sequence(let sequence):
            return sequence.allSatisfy { countWithin($0, &remaining) }
        case .mapping(let mapping):
            return mapping.allSatisfy { countWithin($0.key, &remaining) && countWithin($0.value, &remaining) }
        }
    }
}
