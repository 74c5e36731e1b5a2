import DataParallel
import Foundation

/// The ranks of a job as threads of one process, for tests that need no MPI: each collective
/// gathers every rank's bytes and sums them in rank order, so all ranks get the same result.
final class ThreadRendezvous {
    let size: Int
    private let condition = NSCondition()
    private var deposits: [[UInt8]]
    private var gathered: [[UInt8]] = []
    private var arrived = 0
    private var left = 0
    private var leaving = false

    init(size: Int) {
        self.size = size
        deposits = Array(repeating: [], count: size)
    }

    /// Every rank's bytes, in rank order, once every rank has called.
    func exchange(rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        while leaving { condition.wait() }
        deposits[rank] = bytes
        arrived += 1
        if arrived == size {
            gathered = deposits
            leaving = true
            condition.broadcast()
        } else {
            while !leaving { condition.wait() }
        }
        let result = gathered
        left += 1
        if left == size {
            arrived = 0
            left = 0
            leaving = false
            condition.broadcast()
        }
        return result
    }
}

final class ThreadGroupCommunicator: Communicator {
    let rank: Int
    var size: Int { rendezvous.size }
    let allowsBackgroundReductions = true
    private let rendezvous: ThreadRendezvous

    init(rank: Int, rendezvous: ThreadRendezvous) {
        self.rank = rank
        self.rendezvous = rendezvous
    }

    private func gather<T>(_ values: UnsafeBufferPointer<T>) -> [[T]] {
        rendezvous.exchange(rank: rank, Array(UnsafeRawBufferPointer(values))).map { bytes in
            bytes.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
        }
    }

    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        let all = gather(UnsafeBufferPointer(buffer))
        for i in buffer.indices { buffer[i] = all.dropFirst().reduce(all[0][i]) { $0 + $1[i] } }
    }

    func allreduceSum(_ values: inout [Double]) throws {
        let all = values.withUnsafeBufferPointer { gather($0) }
        for i in values.indices { values[i] = all.dropFirst().reduce(all[0][i]) { $0 + $1[i] } }
    }

    func allreduceMax(_ values: inout [Double]) throws {
        let all = values.withUnsafeBufferPointer { gather($0) }
        for i in values.indices { values[i] = all.map { $0[i] }.max()! }
    }

    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        let all = rendezvous.exchange(rank: rank, Array(bytes))
        bytes.copyBytes(from: all[root])
    }

    func barrier() throws {
        _ = rendezvous.exchange(rank: rank, [])
    }
}

/// The ranks' results, filled in by their threads under `lock`.
final class ThreadRankResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Result<T, Error>?]
    init(_ size: Int) { values = Array(repeating: nil, count: size) }
}

/// Runs `body(rank)` on `size` threads joined by a `ThreadGroupCommunicator` and returns the
/// results in rank order (rethrowing the first error).
func onThreadRanks<T>(_ size: Int, _ body: @escaping (DataParallelGroup) throws -> T) throws -> [T] {
    let rendezvous = ThreadRendezvous(size: size)
    let results = ThreadRankResults<T>(size)
    let done = DispatchGroup()
    for rank in 0..<size {
        done.enter()
        // Threads of their own with a large stack, as the main thread has: backward of a UNet is deep.
        let thread = Thread {
            let group = DataParallelGroup(
                communicator: ThreadGroupCommunicator(rank: rank, rendezvous: rendezvous),
                bucketCapacityBytes: 16 << 10)
            let result = Result { try body(group) }
            results.lock.lock()
            results.values[rank] = result
            results.lock.unlock()
            done.leave()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
    done.wait()
    return try results.values.map { try $0!.get() }
}
