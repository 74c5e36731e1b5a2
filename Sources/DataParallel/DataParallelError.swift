/// Data-parallel training could not start or go on: the message names the rank, the operation
/// and the cause (an MPI error text, a library that would not load, ranks that disagree).
public struct DataParallelError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
