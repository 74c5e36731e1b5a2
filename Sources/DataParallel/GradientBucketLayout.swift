import TensorCore

/// Which gradients travel together: parameters grouped into buckets of about `capacityBytes`,
/// in the order their gradients are expected to be ready.
///
/// Buckets filled in the order backward finishes gradients are complete early and can be
/// reduced while backward goes on. Before that order has been seen, the reverse of the
/// registration order is the guess (backward reaches the last layers first); PyTorch DDP starts
/// the same way and rebuilds its buckets from the order of the first pass, as
/// `GradientBucketReducer` does. Every rank builds the layout from the same parameter list, so bucket k holds
/// the same parameters at the same offsets everywhere — the precondition of reducing it with
/// one allreduce. A bucket ends with one "presence" slot per parameter (1 if this rank has a
/// gradient for it, summed by the reduction), so a parameter no rank has a gradient for keeps
/// none, as in a single-process step.
public struct GradientBucketLayout {
    public struct Entry {
        /// Index in the parameter list given to `init`.
        public let parameter: Int
        public let bucket: Int
        /// Where its gradient starts in the bucket's buffer.
        public let offset: Int
        public let count: Int
        /// Where its presence slot is in the bucket's buffer.
        public let presenceOffset: Int
    }

    public struct Bucket {
        /// Indices into `entries`.
        public var entries: [Int] = []
        /// Floats in the buffer: the gradients, then one presence slot per parameter.
        public var length = 0
    }

    /// 4 MiB of Float gradients: small enough that the latent UNet's 7.3 M parameters (29 MB) make
    /// 7 buckets and the pixel UNet's 26.8 M make 26, so the first ones are reduced while most of
    /// backward is still to come; large enough that a message's fixed cost (tens of µs on TCP
    /// or shared memory) is small against its transfer (about 4 ms at 1 GB/s). PyTorch DDP's 25 MB
    /// and Horovod's 64 MB assume GPUs whose backward is 10–100× faster than ours, where bigger
    /// buckets are needed to keep the latency out of sight.
    public static let defaultCapacityBytes = 4 << 20

    public let entries: [Entry]
    public let buckets: [Bucket]

    /// - Parameters:
    ///   - counts: the element count of every parameter, in registration order.
    ///   - order: the parameters' indices in the order their gradients become ready (default: the
    ///     reverse registration order); a permutation of `counts.indices`.
    public init(counts: [Int], order: [Int]? = nil, capacityBytes: Int = defaultCapacityBytes) {
        precondition(
            capacityBytes >= MemoryLayout<Float>.size, "GradientBucketLayout: capacity of \(capacityBytes) bytes")
        let order = order ?? Array(counts.indices.reversed())
        precondition(
            order.sorted() == Array(counts.indices),
            "GradientBucketLayout: the order is not a permutation of the parameters")
        let capacity = capacityBytes / MemoryLayout<Float>.size
        // First the members of each bucket (a parameter larger than the capacity gets one alone).
        var groups: [[Int]] = []
        var current: [Int] = [], currentCount = 0
        for parameter in order {
            if !current.isEmpty && currentCount + counts[parameter] > capacity {
                groups.append(current)
                current = []
                currentCount = 0
            }
            current.append(parameter)
            currentCount += counts[parameter]
        }
        if !current.isEmpty { groups.append(current) }
        // Then the offsets: gradients first, presence slots after them.
        var entries: [Entry] = []
        var buckets: [Bucket] = []
        for (b, members) in groups.enumerated() {
            var bucket = Bucket()
            var offset = 0
            let total = members.reduce(0) { $0 + counts[$1] }
            for (k, parameter) in members.enumerated() {
                bucket.entries.append(entries.count)
                entries.append(
                    Entry(
                        parameter: parameter, bucket: b, offset: offset, count: counts[parameter],
                        presenceOffset: total + k))
                offset += counts[parameter]
            }
            bucket.length = total + members.count
            buckets.append(bucket)
        }
        self.entries = entries
        self.buckets = buckets
    }
}
