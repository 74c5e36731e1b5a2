import Foundation

/// Documents written before a key was renamed stay readable: `renaming` rewrites each old key
/// of the JSON text to its new name (object keys only, at any depth) before it is decoded.
///
/// The text is rewritten rather than parsed and re-encoded so that nothing else changes (64-bit
/// integers such as seeds would pass through a Double in `JSONSerialization`). A key is a quoted
/// string followed by a colon; inside a string value a quote is escaped, so it cannot match.
public enum LegacyJSONKeys {
    public static func renaming(_ renames: [String: String], in data: Data) -> Data {
        guard var text = String(data: data, encoding: .utf8) else { return data }
        for (old, new) in renames.sorted(by: { $0.key < $1.key }) {
            let escaped = NSRegularExpression.escapedPattern(for: old)
            guard let pattern = try? NSRegularExpression(pattern: "(?<!\\\\)\"\(escaped)\"(\\s*:)") else { continue }
            let template = NSRegularExpression.escapedTemplate(for: "\"\(new)\"") + "$1"
            text = pattern.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return Data(text.utf8)
    }
}
