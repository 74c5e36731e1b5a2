/// MAT-file data types (the "miXXX" codes of the element tags) and array classes ("mxXXX").
enum MATDataType: UInt32 {
    case int8 = 1
    case uint8 = 2
    case int16 = 3
    case uint16 = 4
    case int32 = 5
    case uint32 = 6
    case single = 7
    case double = 9
    case int64 = 12
    case uint64 = 13
    case matrix = 14
    case compressed = 15
    case utf8 = 16
    case utf16 = 17
    case utf32 = 18

    /// Bytes per element for the numeric types, nil otherwise.
    var numericSize: Int? {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .single: return 4
        case .double, .int64, .uint64: return 8
        default: return nil
        }
    }
}

enum MATArrayClass: UInt8 {
    case cell = 1
    case structure = 2
    case object = 3
    case char = 4
    case sparse = 5
    case double = 6
    case single = 7
    case int8 = 8
    case uint8 = 9
    case int16 = 10
    case uint16 = 11
    case int32 = 12
    case uint32 = 13
    case int64 = 14
    case uint64 = 15

    var isNumeric: Bool { rawValue >= 6 }

    var name: String {
        switch self {
        case .cell: return "cell"
        case .structure: return "struct"
        case .object: return "object"
        case .char: return "char"
        case .sparse: return "sparse"
        case .double: return "double"
        case .single: return "single"
        case .int8: return "int8"
        case .uint8: return "uint8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        }
    }
}
