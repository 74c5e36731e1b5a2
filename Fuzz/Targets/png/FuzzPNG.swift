import FileFormats
import Foundation
import FuzzSupport

/// PNG through `PNGImage.decode` (libpng's simplified API underneath) and through `ImageFile`,
/// which picks the decoder from the first bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let name = "fuzz-input.png"
    let data = fuzzInput(start, count)
    if let image = ReaderContract.check(naming: name, { try PNGImage.decode(data, path: name) }) {
        ReaderContract.require(
            image.pixels.count == image.width * image.height * 3,
            "PNG pixels do not fill \(image.width)×\(image.height)")
    }
    _ = ReaderContract.check(naming: name) { try ImageFile.decode(data, path: name) }
    return 0
}
