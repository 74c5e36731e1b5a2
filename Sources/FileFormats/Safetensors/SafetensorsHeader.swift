import Foundation

/// The JSON header of a safetensors file: one entry per tensor plus optional string metadata.
/// Parsing checks types only; `SafetensorsFile.decode` checks the entries against the data.
struct SafetensorsHeader: Decodable {
    struct Entry: Decodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }

    /// Entries in file order (JSON objects are unordered, but keeping it makes errors stable).
    var entries: [(name: String, entry: Entry)] = []
    var metadata: [String: String] = [:]

    static let metadataKey = "__metadata__"

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == Self.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
            }
        }
    }

    /// Parses header bytes, turning decoding errors into one readable sentence.
    static func parse(_ bytes: Data, path: String) throws -> SafetensorsHeader {
        guard bytes.first == UInt8(ascii: "{") else {
            throw FileFormatError(.malformed, path: path, "safetensors header is not a JSON object")
        }
        do {
            return try JSONDecoder().decode(SafetensorsHeader.self, from: bytes)
        } catch let error as DecodingError {
            throw FileFormatError(.malformed, path: path, "safetensors header: \(DecodingErrorText.describe(error))")
        } catch {
            throw FileFormatError(.malformed, path: path, "safetensors header is not valid JSON")
        }
    }

    /// Serialises a header deterministically: metadata first, then tensors in the given order,
    /// compact JSON, padded with spaces so the data starts 8-byte aligned.
    static func encode(
        metadata: [String: String],
        entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)]
    ) -> [UInt8] {
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(JSONText.quote($0)):\(JSONText.quote(metadata[$0]!))" }
            parts.append("\(JSONText.quote(metadataKey)):{\(fields.joined(separator: ","))}")
        }
        for e in entries {
            let shape = e.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(JSONText.quote(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(e.begin),\(e.end)]}")
        }
        var bytes = Array("{\(parts.joined(separator: ","))}".utf8)
        while bytes.count % 8 != 0 { bytes.append(UInt8(ascii: " ")) }
        return bytes
    }
}
