import Dispatch
import Foundation

/// Runs async work from the synchronous commands (`PipelineMain` runs every command
/// synchronously) and waits for its result.
enum AsyncBridge {
    static func wait<T>(_ work: @escaping () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
