import Foundation

/// Finds keys in a user's configuration that the program does not know, by walking the user's
/// document alongside the encoding of the default configuration. Unknown keys are errors
/// (a misspelt `stpes:` silently ignored would cost a user an hour-long run).
public enum ConfigKeyCheck {
    /// Dotted paths of keys present in `document` but absent from `reference` (both JSON-like trees).
    public static func unknownKeys(in document: Any, reference: Any, path: String = "") -> [String] {
        guard let dict = document as? [String: Any] else { return [] }
        guard let known = reference as? [String: Any] else {
            return dict.keys.sorted().map { path.isEmpty ? $0 : "\(path).\($0)" }
        }
        var unknown: [String] = []
        for key in dict.keys.sorted() {
            let child = path.isEmpty ? key : "\(path).\(key)"
            if let referenceValue = known[key] {
                unknown += unknownKeys(in: dict[key]!, reference: referenceValue, path: child)
            } else {
                unknown.append(child)
            }
        }
        return unknown
    }

    /// The JSON-like tree of an encodable value (every field present, as the defaults encode it).
    public static func tree<T: Encodable>(of value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
    }
}
