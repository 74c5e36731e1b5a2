import Dispatch
import Foundation
import TensorCore

/// The ranks of one data-parallel training job, as a trainer sees them: which rows of the global
/// batch are this rank's, the averaging of gradients over the ranks (overlapped with backward),
/// sums of step statistics, rank 0's decisions for everyone, and checks that the ranks agree.
///
/// A trainer without a group trains alone exactly as before; with a group of N ranks, every rank
/// computes the same global batch (data, noise, times, labels: the draws of one process) and trains
/// on its contiguous share of the rows, so N ranks take the steps one process would take, up to
/// the order of floating-point sums.
public final class DataParallelGroup {
    public let communicator: Communicator
    public let bucketCapacityBytes: Int
    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }
    /// Rank 0 alone writes checkpoints, models, metrics and images.
    public var isWriter: Bool { rank == 0 }
    public private(set) var statistics = CommunicationStatistics()
    private var reducer: GradientBucketReducer?
    /// Whether `reducer`'s layout follows the readiness order of a pass (not the first guess).
    private var reducerFollowsBackward = false

    public init(communicator: Communicator, bucketCapacityBytes: Int = GradientBucketLayout.defaultCapacityBytes) {
        self.communicator = communicator
        self.bucketCapacityBytes = bucketCapacityBytes
    }

    /// The group of this process's MPI job, or nil when it was not started by an MPI launcher
    /// (then no MPI library is loaded).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> DataParallelGroup?
    {
        guard case .mpi(_, let library) = LaunchEnvironment.detect(environment) else { return nil }
        return DataParallelGroup(communicator: try MPICommunicator.join(library: library))
    }

    /// This rank's rows of a global batch of `count`: contiguous, sizes differing by at most one,
    /// in rank order (rank r gets rows r·count/N ..< (r+1)·count/N).
    public func shard(of count: Int) -> Range<Int> {
        shard(of: count, rank: rank)
    }

    /// Rank `rank`'s rows of a global batch of `count` (what `shard(of:)` gives on that rank).
    public func shard(of count: Int, rank: Int) -> Range<Int> {
        (rank * count / size)..<((rank + 1) * count / size)
    }

    /// Runs `loss.backward()` and leaves in every parameter the gradient of the global batch's
    /// loss: each rank's gradients weighted by `weight` (its share of the batch) and summed over
    /// the ranks, bucket by bucket while backward still runs.
    public func backwardAveragingGradients(_ loss: Variable?, parameters: [Variable], weight: Double) throws {
        let reducer = self.reducer(for: parameters)
        reducer.begin(weight: Float(weight))
        if let loss { loss.backward(onLeafGradient: reducer.gradientReady) }
        let waitStart = DispatchTime.now().uptimeNanoseconds
        let busy = try reducer.finish()
        statistics.exposedSeconds += Double(DispatchTime.now().uptimeNanoseconds - waitStart) / 1e9
        statistics.allreduceSeconds += busy
        statistics.bytes += reducer.layout.buckets.reduce(0) { $0 + $1.length } * MemoryLayout<Float>.size
        statistics.steps += 1
        if !reducerFollowsBackward {
            // Buckets in the order this backward produced the gradients, rank 0's order for all
            // (it is the same everywhere, as the graphs are, but the layouts must be identical).
            let order = try rank0Decision(reducer.readinessOrder.map(Int64.init)).map(Int.init)
            self.reducer = GradientBucketReducer(
                parameters: parameters, order: order, communicator: communicator,
                capacityBytes: bucketCapacityBytes)
            reducerFollowsBackward = true
        }
    }

    private func reducer(for parameters: [Variable]) -> GradientBucketReducer {
        if let reducer, reducer.parameters.count == parameters.count,
            zip(reducer.parameters, parameters).allSatisfy({ $0 === $1 })
        {
            return reducer
        }
        let made = GradientBucketReducer(
            parameters: parameters, communicator: communicator, capacityBytes: bucketCapacityBytes)
        reducer = made
        reducerFollowsBackward = false
        return made
    }

    /// Element-wise sums over the ranks (losses, counts).
    public func sum(_ values: [Double]) throws -> [Double] {
        var values = values
        try communicator.allreduceSum(&values)
        return values
    }

    /// Rank 0's values on every rank: decisions that depend on a clock or a signal (stop now, the
    /// length of a time-budgeted schedule) are rank 0's, so no rank steps alone.
    public func rank0Decision(_ values: [Int64]) throws -> [Int64] {
        var values = values
        try communicator.broadcast(&values, root: 0)
        return values
    }

    /// Fails on every rank, naming `what`, unless every rank has the same `fingerprint` as rank 0
    /// (e.g. its parameters and step after loading a checkpoint).
    public func checkAllRanksAgree(_ fingerprint: [Double], what: String) throws {
        var reference = fingerprint
        try communicator.broadcast(&reference, root: 0)
        let differs =
            zip(reference, fingerprint).contains { $0.bitPattern != $1.bitPattern }
            || reference.count != fingerprint.count
        var flags = [differs ? Double(rank) + 1 : 0]
        try communicator.allreduceMax(&flags)
        if flags[0] > 0 {
            throw DataParallelError(
                "rank \(Int(flags[0]) - 1) of \(size) has a different \(what) from rank 0; "
                    + "every rank must start from the same settings, data and checkpoint (a folder every host sees)")
        }
    }

    /// `checkAllRanksAgree` on what a trainer holds: its tensors (weights, averages, buffers), its
    /// counters (step, schedule, generator state) and the text of its settings.
    public func checkAllRanksHold(_ tensors: [Tensor], counters: [Double], settings: String, what: String) throws {
        try checkAllRanksAgree(
            Self.fingerprint(of: tensors) + counters + Self.fingerprint(of: settings), what: what)
    }

    /// A fingerprint of parameter values: per tensor Σx and Σx², in Double. Equal tensors give equal
    /// fingerprints; different ones almost never do.
    public static func fingerprint(of tensors: [Tensor]) -> [Double] {
        var sums = [Double]()
        sums.reserveCapacity(tensors.count * 2)
        for tensor in tensors {
            var total = 0.0, squares = 0.0
            let p = tensor.unsafePointer
            for i in 0..<tensor.count {
                let x = Double(p[i])
                total += x
                squares += x * x
            }
            sums.append(total)
            sums.append(squares)
        }
        return sums
    }

    /// A fingerprint of a text (settings, data digests): FNV-1a, as two exact 32-bit halves.
    public static func fingerprint(of text: String) -> [Double] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return [Double(hash >> 32), Double(hash & 0xFFFF_FFFF)]
    }
}
