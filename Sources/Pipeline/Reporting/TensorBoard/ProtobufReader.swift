/// Splits one protocol-buffer message into its fields, for reading event files back (tests, and
/// `TensorBoardEventReader`). Unknown fields are kept, not interpreted; malformed input (a varint
/// past the end, a length beyond the message, a wire type that does not exist) is an error, never
/// a crash.
public struct ProtobufReader {
    public enum Value: Equatable, Sendable {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes([UInt8])
    }

    public struct Field: Equatable, Sendable {
        public var number: Int
        public var value: Value
    }

    public struct Malformed: Error, CustomStringConvertible, Equatable {
        public let message: String
        public var description: String { message }
    }

    /// The fields of `bytes`, in order.
    public static func fields(_ bytes: [UInt8]) throws -> [Field] {
        var fields: [Field] = []
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                guard index < bytes.count else { throw Malformed(message: "a varint runs past the end of the message") }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << UInt64(shift)
                if byte & 0x80 == 0 { return result }
            }
            throw Malformed(message: "a varint is longer than 10 bytes")
        }
        func littleEndian(_ count: Int) throws -> UInt64 {
            guard bytes.count - index >= count else {
                throw Malformed(message: "a \(count * 8)-bit value runs past the end of the message")
            }
            var value: UInt64 = 0
            for offset in 0..<count { value |= UInt64(bytes[index + offset]) << UInt64(8 * offset) }
            index += count
            return value
        }
        while index < bytes.count {
            let key = try varint()
            let number = Int(truncatingIfNeeded: key >> 3)
            guard number > 0 else { throw Malformed(message: "field number 0 at byte \(index)") }
            switch key & 7 {
            case 0: fields.append(Field(number: number, value: .varint(try varint())))
            case 1: fields.append(Field(number: number, value: .fixed64(try littleEndian(8))))
            case 5: fields.append(Field(number: number, value: .fixed32(UInt32(try littleEndian(4)))))
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count - index) else {
                    throw Malformed(message: "field \(number) claims \(length) bytes, \(bytes.count - index) are left")
                }
                fields.append(Field(number: number, value: .bytes(Array(bytes[index..<(index + Int(length))]))))
                index += Int(length)
            default:
                throw Malformed(message: "field \(number) has wire type \(key & 7), which the encoding does not define")
            }
        }
        return fields
    }
}

extension ProtobufReader.Value {
    var integer: Int64? { if case .varint(let value) = self { return Int64(bitPattern: value) } else { return nil } }
    var double: Double? { if case .fixed64(let value) = self { return Double(bitPattern: value) } else { return nil } }
    var float: Float? { if case .fixed32(let value) = self { return Float(bitPattern: value) } else { return nil } }
    var data: [UInt8]? { if case .bytes(let value) = self { return value } else { return nil } }
    var text: String? { data.map { String(decoding: $0, as: UTF8.self) } }
}
