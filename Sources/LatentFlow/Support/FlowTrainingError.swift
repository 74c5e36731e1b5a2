/// A flow training or sampling setting or input that cannot work, said in words.
public struct FlowTrainingError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
