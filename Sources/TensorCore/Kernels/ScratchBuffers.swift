import Foundation

/// A growable 64-byte-aligned Float buffer that keeps its memory between uses, so hot kernels
/// (convolution columns, GEMM blocks) do not allocate and fault in fresh pages on every call.
final class ScratchBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init() {
        capacity = 0
        pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64).bindMemory(
            to: Float.self, capacity: 16)
    }

    /// At least `count` floats; the contents are unspecified.
    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            UnsafeMutableRawPointer(pointer).deallocate()
            // Grow by a margin so that a sequence of slightly larger requests does not reallocate each time.
            capacity = max(count, capacity + capacity / 2)
            pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: capacity)
        }
        return pointer
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

/// One scratch set per worker thread of a parallel kernel: `buffers[slot][index]`.
///
/// Sets are borrowed from a process-wide pool and returned after use. The differentiation graph
/// runs on one thread, so normally one set is reused forever; a concurrent caller (another
/// thread running its own graph) simply gets a fresh set instead of sharing one.
final class ScratchPool: @unchecked Sendable {
    static let convolution = ScratchPool(buffersPerSlot: 3)
    static let winograd = ScratchPool(buffersPerSlot: 4)
    static let winogradWeights = ScratchPool(buffersPerSlot: 2)

    private let lock = NSLock()
    private var free: [[[ScratchBuffer]]] = []
    private let buffersPerSlot: Int

    init(buffersPerSlot: Int) { self.buffersPerSlot = buffersPerSlot }

    func withSlots<R>(_ slots: Int, _ body: ([[ScratchBuffer]]) -> R) -> R {
        lock.lock()
        var set = free.popLast() ?? []
        lock.unlock()
        while set.count < slots { set.append((0..<buffersPerSlot).map { _ in ScratchBuffer() }) }
        defer {
            lock.lock()
            free.append(set)
            lock.unlock()
        }
        return body(set)
    }
}
