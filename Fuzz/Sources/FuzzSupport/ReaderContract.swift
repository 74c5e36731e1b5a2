import Foundation

/// The contract every fuzz target checks: whatever the bytes, a reader returns a value or throws
/// an error that names the file it could not read. A crash, a trap, a hang or a huge allocation
/// is caught by libFuzzer and the sanitizers; an error that does not name the file is caught here,
/// by stopping the process, so that libFuzzer saves the input like any other crash.
public enum ReaderContract {
    /// Runs `read` and returns its value, or nil when it threw an error mentioning `name`.
    public static func check<T>(naming name: String, _ read: () throws -> T) -> T? {
        do {
            return try read()
        } catch {
            let text = String(describing: error)
            if !text.contains(name) {
                fatalError("contract broken: the error does not name \(name): \(type(of: error)): \(text)")
            }
            return nil
        }
    }

    /// Stops the fuzzer when a property that must hold after a successful read does not.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("contract broken: \(message())") }
    }
}
