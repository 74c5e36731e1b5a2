import CHDF5

/// Element types of HDF5 datasets this module reads and writes.
public enum HDF5ElementType: String, Sendable, CaseIterable {
    case float32, float64, uint8, int16, int32, int64
    /// Variable- or fixed-length text (only through `writeStrings` / `readStrings`).
    case string

    /// Bytes per element in memory (strings: not applicable, 0).
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        case .int16: return 2
        case .string: return 0
        }
    }

    /// The type stored in files: explicit little-endian, so files are identical on every host.
    var fileType: hid_t {
        switch self {
        case .float32: return fmf_h5t_ieee_f32le()
        case .float64: return fmf_h5t_ieee_f64le()
        case .uint8: return fmf_h5t_std_u8le()
        case .int16: return fmf_h5t_std_i16le()
        case .int32: return fmf_h5t_std_i32le()
        case .int64: return fmf_h5t_std_i64le()
        case .string: return -1
        }
    }

    /// The matching in-memory (native) type.
    var memoryType: hid_t {
        switch self {
        case .float32: return fmf_h5t_native_float()
        case .float64: return fmf_h5t_native_double()
        case .uint8: return fmf_h5t_native_uint8()
        case .int16: return fmf_h5t_native_int16()
        case .int32: return fmf_h5t_native_int32()
        case .int64: return fmf_h5t_native_int64()
        case .string: return -1
        }
    }

    /// Classifies a stored datatype, or nil for types this module does not handle.
    static func classify(_ type: hid_t) -> HDF5ElementType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return size == 4 ? .float32 : size == 8 ? .float64 : nil
        case H5T_STRING: return .string
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (1, false): return .uint8
            case (2, true): return .int16
            case (4, true): return .int32
            case (8, true): return .int64
            default: return nil
            }
        default: return nil
        }
    }

    /// A readable name for any datatype, for error messages.
    static func describe(_ type: hid_t) -> String {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return "\(size * 8)-bit float"
        case H5T_INTEGER: return "\(H5Tget_sign(type) == H5T_SGN_2 ? "signed" : "unsigned") \(size * 8)-bit integer"
        case H5T_STRING: return "string"
        case H5T_COMPOUND: return "compound"
        case H5T_ENUM: return "enum"
        case H5T_ARRAY: return "array"
        default: return "unsupported datatype"
        }
    }
}

/// Swift element types that map to an `HDF5ElementType`.
public protocol HDF5Scalar {
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
extension Int16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int16 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
