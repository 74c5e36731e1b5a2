import FileFormats
import Foundation
import FuzzSupport

/// JPEG through `JPEGImage.decode` (TurboJPEG underneath): baseline, progressive, grayscale,
/// CMYK and YCCK, with every libjpeg warning turned into an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let name = "fuzz-input.jpg"
    let data = fuzzInput(start, count)
    if let image = ReaderContract.check(naming: name, { try JPEGImage.decode(data, path: name) }) {
        ReaderContract.require(
            image.pixels.count == image.width * image.height * 3,
            "JPEG pixels do not fill \(image.width)×\(image.height)")
    }
    return 0
}
