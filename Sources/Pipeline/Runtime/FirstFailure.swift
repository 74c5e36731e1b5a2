import Foundation

/// The first error thrown by any of several parallel workers, rethrown once they have all
/// finished (the others stop early by checking `occurred`).
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?

    var occurred: Bool {
        lock.lock()
        defer { lock.unlock() }
        return error != nil
    }

    func record(_ error: Error) {
        lock.lock()
        if self.error == nil { self.error = error }
        lock.unlock()
    }

    func rethrow() throws {
        lock.lock()
        let error = self.error
        lock.unlock()
        if let error { throw error }
    }
}
