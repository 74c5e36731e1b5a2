import Dispatch
import Foundation
import TensorCore

/// Averages the gradients of one backward pass over the ranks, bucket by bucket, while backward
/// is still running.
///
/// `gradientReady` is the autodiff engine's per-leaf hook (`Variable.backward(onLeafGradient:)`):
/// it copies the finished gradient, scaled by this rank's weight, into its bucket, and hands every
/// bucket whose gradients are all in to a serial communication queue that runs the allreduce
/// while the caller goes on with backward. Buckets are handed over strictly in layout order, so
/// every rank issues the same collectives in the same order whatever order its gradients come
/// in. The parameters' indices are recorded in the order their gradients came
/// (`readinessOrder`), from which the group builds a better layout after the first pass. `finish` packs what never came (no gradient: zeros and presence 0), waits for the queue and
/// writes the sums back as the parameters' gradients.
///
/// The weights are the shares of the global batch (n_rank / n), so the sum of the weighted
/// per-rank mean-loss gradients is the gradient of the global batch's mean loss, whatever the
/// shard sizes. Without background reductions (MPI below MPI_THREAD_SERIALIZED) the buckets are
/// reduced in `finish`, on the calling thread, one after the other.
final class GradientBucketReducer {
    let parameters: [Variable]
    let layout: GradientBucketLayout
    private let communicator: Communicator
    private let buffers: [UnsafeMutableBufferPointer<Float>]
    private let entryOfParameter: [ObjectIdentifier: Int]
    private let queue = DispatchQueue(label: "data-parallel.gradient-allreduce")
    private let group = DispatchGroup()
    private let lock = NSLock()

    // State of the pass in progress.
    private var weight: Float = 1
    private var packed: [Bool]
    private var missing: [Int]
    private var nextBucket = 0
    private var failure: Error?
    private var busySeconds = 0.0

    /// Parameter indices in the order `gradientReady` saw them in the last pass, then the ones
    /// it never saw (in layout order).
    private(set) var readinessOrder: [Int] = []

    init(parameters: [Variable], order: [Int]? = nil, communicator: Communicator, capacityBytes: Int) {
        self.parameters = parameters
        self.communicator = communicator
        layout = GradientBucketLayout(
            counts: parameters.map { $0.value.count }, order: order, capacityBytes: capacityBytes)
        buffers = layout.buckets.map { bucket in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: bucket.length)
            buffer.initialize(repeating: 0)
            return buffer
        }
        var index: [ObjectIdentifier: Int] = [:]
        for (e, entry) in layout.entries.enumerated() { index[ObjectIdentifier(parameters[entry.parameter])] = e }
        entryOfParameter = index
        packed = Array(repeating: false, count: layout.entries.count)
        missing = layout.buckets.map(\.entries.count)
    }

    deinit {
        group.wait()
        for buffer in buffers { buffer.deallocate() }
    }

    /// Starts a pass in which this rank's gradients count `weight` times.
    func begin(weight: Float) {
        precondition(
            nextBucket == 0 || nextBucket == layout.buckets.count, "GradientBucketReducer: a pass is still open")
        self.weight = weight
        packed = Array(repeating: false, count: layout.entries.count)
        missing = layout.buckets.map(\.entries.count)
        nextBucket = 0
        readinessOrder = []
        failure = nil
        busySeconds = 0
    }

    /// The hook: `variable`'s gradient is final for this pass.
    func gradientReady(_ variable: Variable) {
        guard let e = entryOfParameter[ObjectIdentifier(variable)], !packed[e] else { return }
        readinessOrder.append(layout.entries[e].parameter)
        pack(entry: e)
        submitCompleteBuckets(upTo: layout.buckets.count, background: communicator.allowsBackgroundReductions)
    }

    /// Packs the rest, waits for every reduction and stores the averaged gradients.
    /// - Returns: seconds spent inside allreduce calls during this pass.
    func finish() throws -> Double {
        for e in layout.entries.indices where !packed[e] {
            readinessOrder.append(layout.entries[e].parameter)
            pack(entry: e)
        }
        submitCompleteBuckets(upTo: layout.buckets.count, background: communicator.allowsBackgroundReductions)
        group.wait()
        if let failure { throw failure }
        for entry in layout.entries {
            let variable = parameters[entry.parameter]
            let buffer = buffers[entry.bucket]
            guard buffer[entry.presenceOffset] > 0 else {
                variable.grad = nil
                continue
            }
            // A fresh tensor: the old gradient's storage may be shared with other tensors.
            let gradient = Tensor(uninitializedShape: variable.value.shape)
            gradient.unsafePointer.update(from: buffer.baseAddress! + entry.offset, count: entry.count)
            variable.grad = gradient
        }
        return busySeconds
    }

    private func pack(entry e: Int) {
        let entry = layout.entries[e]
        let buffer = buffers[entry.bucket]
        let destination = buffer.baseAddress! + entry.offset
        if let gradient = parameters[entry.parameter].grad {
            precondition(
                gradient.count == entry.count,
                "GradientBucketReducer: gradient of \(gradient.count) values for a parameter of \(entry.count)")
            let source = gradient.unsafePointer
            let w = weight
            if w == 1 {
                destination.update(from: source, count: entry.count)
            } else {
                for i in 0..<entry.count { destination[i] = source[i] * w }
            }
            buffer[entry.presenceOffset] = 1
        } else {
            destination.update(repeating: 0, count: entry.count)
            buffer[entry.presenceOffset] = 0
        }
        packed[e] = true
        missing[entry.bucket] -= 1
    }

    /// Hands over, in order, every bucket that is complete and has all its predecessors handed over.
    private func submitCompleteBuckets(upTo end: Int, background: Bool) {
        while nextBucket < end, missing[nextBucket] == 0 {
            let bucket = nextBucket
            nextBucket += 1
            if background {
                group.enter()
                queue.async { [self] in
                    reduce(buffers[bucket])
                    group.leave()
                }
            } else {
                reduce(buffers[bucket])
            }
        }
    }

    private func reduce(_ buffer: UnsafeMutableBufferPointer<Float>) {
        lock.lock()
        let failed = failure != nil
        lock.unlock()
        // After a failure the remaining buckets are not reduced: the pass ends in an error anyway.
        guard !failed else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            try communicator.allreduceSum(buffer)
        } catch {
            lock.lock()
            failure = error
            lock.unlock()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.lock()
        busySeconds += seconds
        lock.unlock()
    }
}
