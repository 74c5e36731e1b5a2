import Dispatch
import Foundation

/// How many threads the Swift-side kernels split their loops over.
/// Set once at start-up (the CLI follows `--threads`); defaults to the core count.
public enum ComputeThreads {
    nonisolated(unsafe) public static var count: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// Runs `body` over 0..<count split into contiguous chunks, one per thread.
///
/// Work smaller than `minimumPerThread` items per thread runs inline: for small tensors
/// the hand-off costs more than the loop.
@inlinable
public func parallelChunks(_ count: Int, minimumPerThread: Int = 16_384, _ body: (Range<Int>) -> Void) {
    let threads = min(ComputeThreads.count, max(1, count / max(1, minimumPerThread)))
    if threads <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunk = (count + threads - 1) / threads
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = t * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }
}

/// Runs `body(i)` for each i in 0..<count on the compute threads, for coarse independent items
/// (images in a batch, channels, attention heads).
@inlinable
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 || ComputeThreads.count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: count) { body($0) }
    }
}
