/// Codes that do not fit the quantizer (a code outside its codebooks, a shape that does not
/// divide), said in words. Codes come from files, so these are errors, not preconditions:
/// release builds compile the preconditions out and would read past the codebook.
public struct QuantizerError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
