import FileFormats
import Foundation
import FuzzSupport

/// safetensors: the 8-byte header length, the JSON header and every tensor's bytes. A file that
/// decodes must also hand out each tensor's values through the accessor for its dtype.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let name = "fuzz-input.safetensors"
    guard
        let file = ReaderContract.check(
            naming: name, { try SafetensorsFile.decode(fuzzInput(start, count), path: name) })
    else {
        return 0
    }
    for tensor in file.tensors.values {
        switch tensor.dtype {
        case .f32, .f16:
            let values = ReaderContract.check(naming: "<tensor>") { try tensor.floats() }
            ReaderContract.require(
                values?.count == tensor.elementCount, "floats() of \(tensor.shape) gave \(values?.count ?? -1)")
        case .i64, .i32, .i16, .u8:
            let values = ReaderContract.check(naming: "<tensor>") { try tensor.int64s() }
            ReaderContract.require(
                values?.count == tensor.elementCount, "int64s() of \(tensor.shape) gave \(values?.count ?? -1)")
        }
    }
    return 0
}
