/// A failure of a command, reported as `error: <message>` with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
