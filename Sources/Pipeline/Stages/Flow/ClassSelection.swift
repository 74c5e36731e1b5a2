import Foundation

/// Turns `--classes` arguments (ids, names, "none" or "all") into class ids.
enum ClassSelection {
    /// - Parameters:
    ///   - arguments: each an id (0-based), a class name (case-insensitive, `_` for spaces),
    ///     "none" for unconditional samples, or "all" for every class in turn (samples whose class
    ///     mix matches a class-balanced held-out set, as the metrics want); may be comma-separated.
    ///   - names: the model's class names.
    ///   - nullClass: the "no class" id.
    ///   - defaultCount: classes spread evenly over all when `arguments` is empty.
    static func resolve(_ arguments: [String], names: [String], nullClass: Int, defaultCount: Int = 10) throws -> [Int]
    {
        let items = arguments.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if items.isEmpty {
            guard !names.isEmpty else { return [nullClass] }
            let k = min(defaultCount, names.count)
            return (0..<k).map { $0 * names.count / k }
        }
        func normalized(_ text: String) -> String { text.lowercased().replacingOccurrences(of: "_", with: " ") }
        func resolveOne(_ item: String) throws -> Int {
            if ["none", "null", "unconditional"].contains(item.lowercased()) { return nullClass }
            if let id = Int(item) {
                guard id >= 0 && id < names.count else {
                    throw StageError("--classes: class id \(id) is outside 0..<\(names.count)")
                }
                return id
            }
            if let id = names.firstIndex(where: { normalized($0) == normalized(item) }) { return id }
            let close = names.enumerated().filter { normalized($0.element).contains(normalized(item)) }.prefix(5)
                .map { "\($0.offset) \($0.element)" }
            throw StageError(
                "--classes: no class named \"\(item)\""
                    + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?"))
        }
        return try items.flatMap { item -> [Int] in
            if item.lowercased() == "all" { return names.isEmpty ? [nullClass] : Array(names.indices) }
            return [try resolveOne(item)]
        }
    }
}
