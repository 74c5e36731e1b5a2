import Foundation

/// A failure of the autoencoder stage, with a message that says what to do.
public struct TrainAEError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
