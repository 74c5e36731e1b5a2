/// A stage cannot run as asked: a missing upstream artifact, options that contradict each other
/// or the data. The message names the file or option and says what to do.
public struct StageError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A long stage stopped on request (Ctrl-C or SIGTERM) before it finished.
public struct StageInterrupted: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
