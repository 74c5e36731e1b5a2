import Foundation
import FuzzSupport
import Pipeline

/// The run configuration (`run-config.yaml`) as `pipeline run --config` reads it: YAML (Yams),
/// then the settings, stages and options. Only `RunConfig.parse(_:source:presetOverride:)` is
/// called, the entry point whose signature stays while the parsing behind it is reworked.
/// Bytes that are not UTF-8 are decoded with replacement characters, as `String(contentsOf:)`
/// would refuse them before parsing anyway.
private let source = "fuzz/run-config.yaml"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunConfig(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let text = String(decoding: fuzzInput(start, count), as: UTF8.self)
    _ = ReaderContract.check(naming: source) { try RunConfig.parse(text, source: source) }
    return 0
}
