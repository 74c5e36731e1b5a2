/// A training step of the autoencoder failed (the loss is not finite, a checkpoint does not fit).
public struct AutoencoderTrainingError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
