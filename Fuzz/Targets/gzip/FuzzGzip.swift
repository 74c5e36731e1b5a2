import Foundation
import FuzzSupport

/// `.tar.gz` files as they are downloaded, through `TarGzExtractor.extract`: the gzip header,
/// deflate data, trailer and concatenated members, then tar. Nothing may be written outside
/// the destination.
private let scratch = ScratchFolder("gzip")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ExtractionSandbox.extract(fuzzInput(start, count), scratch: scratch)
    return 0
}
