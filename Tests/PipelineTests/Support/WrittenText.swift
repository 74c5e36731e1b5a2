import Foundation

/// Text a stage writes (its `write` callback), possibly from several threads, kept for assertions.
final class WrittenText: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = ""
    func append(_ text: String) {
        lock.lock()
        storage += text
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
