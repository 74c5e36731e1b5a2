/// One tensor of a safetensors file: element type, shape and raw little-endian bytes.
public struct SafetensorsTensor: Sendable, Equatable {
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Raw little-endian element data, row-major, `elementCount * dtype.byteSize` bytes.
    public var bytes: [UInt8]

    /// Number of elements (product of the shape; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Checks that `bytes` holds exactly `product(shape)` elements of `dtype`.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) throws {
        guard let count = ShapeMath.elementCount(shape) else {
            throw FileFormatError(.malformed, path: "<tensor>", "invalid shape \(shape)")
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, expected == bytes.count else {
            throw FileFormatError(
                .malformed, path: "<tensor>",
                "\(bytes.count) bytes do not hold a \(dtype.rawValue) tensor of shape \(shape)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An F32 tensor. The element count must match the shape (a programming error otherwise).
    public init(floats: [Float], shape: [Int]) {
        precondition(
            ShapeMath.elementCount(shape) == floats.count,
            "SafetensorsTensor: \(floats.count) floats do not fill shape \(shape)")
        self.dtype = .f32
        self.shape = shape
        self.bytes = LittleEndianBytes.bytes(of: floats)
    }

    /// An I64 tensor. The element count must match the shape (a programming error otherwise).
    public init(int64s: [Int64], shape: [Int]) {
        precondition(
            ShapeMath.elementCount(shape) == int64s.count,
            "SafetensorsTensor: \(int64s.count) integers do not fill shape \(shape)")
        self.dtype = .i64
        self.shape = shape
        self.bytes = LittleEndianBytes.bytes(of: int64s)
    }

    /// The elements as Float: F32 as stored, F16 widened exactly. Integer tensors are an error,
    /// so that an id tensor is never silently read as weights.
    public func floats() throws -> [Float] {
        switch dtype {
        case .f32: return LittleEndianBytes.floats(from: bytes)
        case .f16: return LittleEndianBytes.values(UInt16.self, from: bytes).map(HalfFloat.float(fromBits:))
        default:
            throw FileFormatError(.unsupported, path: "<tensor>", "cannot read a \(dtype.rawValue) tensor as floats")
        }
    }

    /// The elements as Int64, from any integer dtype. Float tensors are an error.
    public func int64s() throws -> [Int64] {
        switch dtype {
        case .i64: return LittleEndianBytes.values(Int64.self, from: bytes)
        case .i32: return LittleEndianBytes.values(Int32.self, from: bytes).map(Int64.init)
        case .i16: return LittleEndianBytes.values(Int16.self, from: bytes).map(Int64.init)
        case .u8: return bytes.map(Int64.init)
        case .f32, .f16:
            throw FileFormatError(.unsupported, path: "<tensor>", "cannot read a \(dtype.rawValue) tensor as integers")
        }
    }
}
