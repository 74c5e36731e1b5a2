/// Element types of a safetensors tensor supported by this project, named as in the file header.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case i64 = "I64"
    case i32 = "I32"
    case i16 = "I16"
    case u8 = "U8"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .i16: return 2
        case .i64: return 8
        case .u8: return 1
        }
    }
}
