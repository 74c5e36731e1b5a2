import ArgumentParser

/// Whole numbers given as one option, separated by commas ("1,2,4"), or as separate words that
/// are joined first (an option parsed `upToNextOption`, or a YAML list in a run configuration).
enum IntegerListOption {
    static func parse<T: FixedWidthInteger>(_ words: [String], option: String) throws -> [T] {
        let text = words.joined(separator: ",")
        let values = text.split(separator: ",").map { T($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(option): expected whole numbers separated by commas, got '\(text)'")
        }
        return values.map { $0! }
    }
}
