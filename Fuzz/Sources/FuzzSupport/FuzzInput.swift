import Foundation

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, copied into `Data`.
public func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> Data {
    guard let start, count > 0 else { return Data() }
    return Data(bytes: start, count: count)
}
