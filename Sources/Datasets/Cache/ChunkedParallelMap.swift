import Dispatch
import Foundation

/// Maps items `0..<count` in chunks: the items of one chunk are computed in parallel while the
/// previous chunk is handed, in order, to a single consumer (which writes rows to a file). So
/// the consumer always sees results in item order, whatever the threads' timing.
enum ChunkedParallelMap {
    static func run<T>(
        count: Int, chunkSize: Int, threads: Int,
        compute: @escaping (Int) -> T,
        consume: (_ range: Range<Int>, _ results: [T]) throws -> Void
    ) throws {
        guard count > 0 else { return }
        let chunks = stride(from: 0, to: count, by: chunkSize).map { $0..<min(count, $0 + chunkSize) }
        let queue = DispatchQueue(label: "fmf.prepare.chunks")
        func launch(_ range: Range<Int>) -> (ResultSlots<T>, DispatchGroup) {
            let slots = ResultSlots<T>(count: range.count)
            let group = DispatchGroup()
            queue.async(group: group) {
                if threads <= 1 {
                    for i in range { slots.set(i - range.lowerBound, compute(i)) }
                } else {
                    // concurrentPerform hands items to a pool as wide as the machine; striding
                    // over `threads` workers keeps to the requested width.
                    let width = min(threads, range.count)
                    let next = AtomicCounter(range.lowerBound)
                    DispatchQueue.concurrentPerform(iterations: width) { _ in
                        while let i = next.take(below: range.upperBound) {
                            slots.set(i - range.lowerBound, compute(i))
                        }
                    }
                }
            }
            return (slots, group)
        }
        var pending = launch(chunks[0])
        for (k, range) in chunks.enumerated() {
            let (slots, group) = pending
            group.wait()
            if k + 1 < chunks.count { pending = launch(chunks[k + 1]) }
            do {
                try consume(range, slots.values)
            } catch {
                // Let the chunk in flight finish before returning: it uses the caller's data.
                if k + 1 < chunks.count { pending.1.wait() }
                throw error
            }
        }
    }
}

/// A counter handing out consecutive integers to several threads.
final class AtomicCounter: @unchecked Sendable {
    private var value: Int
    private let lock = NSLock()

    init(_ start: Int) { value = start }

    /// The next value if it is below `bound`, else nil.
    func take(below bound: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < bound else { return nil }
        value += 1
        return value - 1
    }
}
