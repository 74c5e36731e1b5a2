import FileFormats
import Foundation

/// Conversions between tensors and safetensors entries for checkpoints.
extension TrainingCheckpoint {
    /// An F32 entry holding a copy of the tensor's elements.
    static func encodeTensor(_ tensor: Tensor) -> SafetensorsTensor {
        #if _endian(little)
            let bytes = tensor.withUnsafePointer { p in
                [UInt8](
                    UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: tensor.count * MemoryLayout<Float>.size))
            }
            // The byte count matches the shape by construction.
            return try! SafetensorsTensor(dtype: .f32, shape: tensor.shape, bytes: bytes)
        #else
            return SafetensorsTensor(floats: tensor.values, shape: tensor.shape)
        #endif
    }

    /// A tensor from an F32 (or F16) entry; other element types are an error naming the file and entry.
    static func decodeTensor(_ entry: SafetensorsTensor, name: String, path: String) throws -> Tensor {
        switch entry.dtype {
        case .f32:
            #if _endian(little)
                let tensor = Tensor(uninitializedShape: entry.shape)
                entry.bytes.withUnsafeBytes { raw in
                    guard raw.count > 0 else { return }
                    UnsafeMutableRawPointer(tensor.unsafePointer).copyMemory(
                        from: raw.baseAddress!, byteCount: raw.count)
                }
                return tensor
            #else
                return Tensor(shape: entry.shape, values: try entry.floats())
            #endif
        case .f16:
            return Tensor(shape: entry.shape, values: try entry.floats())
        default:
            throw FileFormatError(
                .malformed, path: path,
                "tensor '\(name)' is \(entry.dtype.rawValue), a checkpoint stores F32")
        }
    }

    static func encodeStep(_ step: Int) -> SafetensorsTensor {
        SafetensorsTensor(int64s: [Int64(step)], shape: [])
    }

    static func decodeStep(_ entry: SafetensorsTensor, name: String, path: String) throws -> Int {
        guard entry.elementCount == 1, let value = try? entry.int64s().first, value >= 1 else {
            throw FileFormatError(
                .malformed, path: path,
                "tensor '\(name)' must be one positive integer step, got \(entry.dtype.rawValue) \(entry.shape)")
        }
        return Int(value)
    }
}
