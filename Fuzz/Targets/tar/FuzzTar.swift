import Foundation
import FuzzSupport

/// tar archives (ustar, GNU long names, PAX paths) through `TarGzExtractor.extract`: the input is
/// the uncompressed tar, wrapped here in a stored gzip so that the fuzzer mutates tar headers.
/// Nothing may be written outside the destination, and no link may be made.
private let scratch = ScratchFolder("tar")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ExtractionSandbox.extract(StoredGzip.wrap(fuzzInput(start, count)), scratch: scratch)
    return 0
}
