/// Just enough of the protocol-buffer wire format to write TensorBoard's `Event` messages:
/// varints, 64- and 32-bit little-endian scalars, and length-delimited fields (strings, bytes and
/// nested messages).
///
/// Written by hand rather than with swift-protobuf: the event files need five message types and
/// a dozen fields, while swift-protobuf would add a dependency whose first build (with its code
/// generator plugin) takes minutes on a 2-core machine, on every fresh CI clone, plus generated
/// code to keep in step with `.proto` files. The wire format is stable and small enough to test
/// completely (`ProtobufReader` reads it back).
public struct ProtobufWriter {
    /// The wire types used here (protobuf encoding spec).
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    public private(set) var bytes: [UInt8] = []

    public init() {}

    mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// An `int32`/`int64`/`enum` field (negative numbers take ten bytes, as the format says).
    public mutating func int(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `double` field.
    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        littleEndian(value.bitPattern, byteCount: 8)
    }

    /// A `float` field.
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        littleEndian(UInt64(value.bitPattern), byteCount: 4)
    }

    /// A `bytes` field, or a nested message's encoding.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// A nested message, encoded by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    private mutating func littleEndian(_ value: UInt64, byteCount: Int) {
        for index in 0..<byteCount { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }
}
