/// Element types of a safetensors tensor supported by this project, named as in the file header.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", i64 = "I64", i32 = "I32", i16 = "I16", u8 = "U8"

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
