/// One readable sentence for a `DecodingError`, naming where in the document it happened.
enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty
                ? ""
                : " at '"
                    + path.map { $0.intValue.map(String.init) ?? $0.stringValue }
                    .joined(separator: ".") + "'"
        }
        switch error {
        case .dataCorrupted(let c):
            // A syntax error carries the parser's error; a value a type refused carries its reason.
            return c.underlyingError != nil || c.codingPath.isEmpty
                ? "not valid JSON\(at(c.codingPath))" : "invalid value\(at(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "missing '\(key.stringValue)'\(at(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "wrong value type\(at(c.codingPath)) (\(c.debugDescription))"
        @unknown default: return "invalid"
        }
    }
}
