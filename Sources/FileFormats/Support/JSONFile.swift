import Foundation

/// JSON documents on disk (manifests, configurations, metrics): written atomically with sorted
/// keys and indentation so that files are stable under version control and diffable.
public enum JSONFile {
    /// The bytes `write` would store: pretty-printed, keys sorted, trailing newline.
    public static func encode(_ value: Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // The existential is opened implicitly (SE-0352), so the concrete type is encoded.
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    public static func write(_ value: Encodable, to url: URL) throws {
        let data: Data
        do {
            data = try encode(value)
        } catch {
            throw FileFormatError(.writeFailed, path: url.path, "cannot encode \(type(of: value)) as JSON: \(error)")
        }
        try AtomicFile.write(data, to: url)
    }

    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        try decode(type, from: FileBytes.read(url), path: url.path)
    }

    /// Reads a document that may have been written before some of its keys were renamed
    /// (`legacyKeys`: old name → new name, see `LegacyJSONKeys`).
    public static func read<T: Decodable>(_ type: T.Type, from url: URL, legacyKeys: [String: String]) throws -> T {
        try decode(type, from: LegacyJSONKeys.renaming(legacyKeys, in: FileBytes.read(url)), path: url.path)
    }

    /// Decodes a document held in memory; `path` names it in errors.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw FileFormatError(.malformed, path: path, "\(T.self): \(DecodingErrorText.describe(error))")
        } catch {
            throw FileFormatError(.malformed, path: path, "not valid JSON for \(T.self)")
        }
    }
}
