/// One readable sentence for a `DecodingError`, naming where in the document it happened.
enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "" : " at '" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }
                .joined(separator: ".") + "'"
        }
        switch error {
        case .dataCorrupted(let c): return "not valid JSON\(at(c.codingPath))"
        case .keyNotFound(let key, let c): return "missing '\(key.stringValue)'\(at(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "wrong value type\(at(c.codingPath)) (\(c.debugDescription))"
        @unknown default: return "invalid"
        }
    }
}
