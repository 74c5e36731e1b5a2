import DataParallel
import TensorCore

/// Noise coupled with where the teacher's (guided) ODE takes it: the training data of both
/// few-step methods. `endpoints` are in the data space (the teacher's statistics undone), like
/// the latents of the latent cache; `noise` in the network's standardised space.
public struct ReflowPairs: @unchecked Sendable {
    /// [N, C, H, W] unit Gaussian noise z.
    public var noise: Tensor
    /// [N, C, H, W] the teacher's samples T(z).
    public var endpoints: Tensor
    /// The class of each pair (the network's `nullClass` for unconditional ones).
    public var classes: [Int]

    public init(noise: Tensor, endpoints: Tensor, classes: [Int]) throws {
        guard noise.rank == 4, noise.shape == endpoints.shape, noise.shape[0] == classes.count else {
            throw FlowTrainingError(
                "reflow pairs: noise \(noise.shape), endpoints \(endpoints.shape) and \(classes.count) classes do not match"
            )
        }
        self.noise = noise
        self.endpoints = endpoints
        self.classes = classes
    }

    public var count: Int { classes.count }
    public var sampleShape: [Int] { Array(noise.shape.dropFirst()) }

    /// Pairs sampled per call of the teacher's sampler.
    public static let samplingBatch = 64

    /// The pairs rank `rank` of `ranks` samples of `count`: its contiguous share of the batches of
    /// `batch` (`DataParallelGroup.shard`, of batches, not pairs, so every batch is the one a
    /// single process samples).
    public static func sampledRows(count: Int, batch: Int, rank: Int, ranks: Int) -> Range<Int> {
        let batches = (count + batch - 1) / batch
        let first = rank * batches / ranks, end = (rank + 1) * batches / ranks
        return min(count, first * batch)..<min(count, end * batch)
    }
}

/// What made a set of pairs: when all of it matches, cached pairs are reused instead of sampling
/// the teacher again.
public struct ReflowPairProvenance: Codable, Equatable, Sendable {
    /// SHA-256 of the teacher's model file.
    public var teacherSHA256: String
    public var count: Int
    public var seed: UInt64
    public var sampler: SamplerSettings
    public var guidance: Float
    public var guidanceLower: Float
    public var guidanceUpper: Float

    public init(
        teacherSHA256: String, count: Int, seed: UInt64, sampler: SamplerSettings, guidance: Float,
        guidanceInterval: ClosedRange<Float>
    ) {
        self.teacherSHA256 = teacherSHA256
        self.count = count
        self.seed = seed
        self.sampler = sampler
        self.guidance = guidance
        guidanceLower = guidanceInterval.lowerBound
        guidanceUpper = guidanceInterval.upperBound
    }

    public var guidanceInterval: ClosedRange<Float> { guidanceLower...guidanceUpper }
}

extension FlowModel {
    /// The classes of the pairs: every class in turn, and the "no class" id as one more, so
    /// unconditional sampling is distilled too (1 pair in classCount + 1).
    public func reflowClasses(count: Int) -> [Int] {
        (0..<count).map { $0 % (network.nullClass + 1) }
    }

    /// Samples the teacher for `provenance.count` pairs in batches of `batch`, telling `progress`
    /// the pairs done after each batch. Pair i's noise is seeded by (seed, i), so the pairs do
    /// not depend on the batch size.
    ///
    /// With a `group` the ranks split the batches (rank r samples its contiguous share of them,
    /// `progress` counts its own pairs) and then exchange their rows, so every rank ends with all
    /// pairs. Each batch is the one a single process samples, the same rows in the same call, so
    /// the pairs are those of one process as long as a batch's network passes do not depend on
    /// the thread count (the tests compare them bit for bit).
    public func makeReflowPairs(
        _ provenance: ReflowPairProvenance, batch: Int = ReflowPairs.samplingBatch, group: DataParallelGroup? = nil,
        progress: (Int) -> Void = { _ in }
    ) throws -> ReflowPairs {
        guard provenance.count >= 1 else {
            throw FlowTrainingError("reflow pairs: the count must be positive, got \(provenance.count)")
        }
        let classes = reflowClasses(count: provenance.count)
        let batchSize = max(1, batch)
        func rows(ofRank rank: Int) -> Range<Int> {
            ReflowPairs.sampledRows(count: provenance.count, batch: batchSize, rank: rank, ranks: group?.size ?? 1)
        }
        let mine = rows(ofRank: group?.rank ?? 0)
        var noiseParts: [Tensor] = [], endpointParts: [Tensor] = []
        for start in stride(from: mine.lowerBound, to: mine.upperBound, by: batchSize) {
            let range = start..<min(provenance.count, start + batchSize)
            let z = noise(count: range.count, seed: provenance.seed, first: start)
            let result = try sample(
                noise: z, classes: Array(classes[range]), settings: provenance.sampler,
                guidance: provenance.guidance, guidanceInterval: provenance.guidanceInterval)
            noiseParts.append(z)
            endpointParts.append(result.samples)
            progress(range.upperBound - mine.lowerBound)
        }
        guard let group else {
            return try ReflowPairs(
                noise: Tensor.concatenatingRows(noiseParts), endpoints: Tensor.concatenatingRows(endpointParts),
                classes: classes)
        }
        let shape = [provenance.count] + sampleShape
        let width = sampleShape.reduce(1, *)
        func gathered(_ parts: [Tensor]) throws -> Tensor {
            var whole = [Float](repeating: 0, count: provenance.count * width)
            var offset = mine.lowerBound * width
            for part in parts {
                whole.replaceSubrange(offset..<(offset + part.count), with: part.values)
                offset += part.count
            }
            try group.gatherRows(&whole, width: width, rowsOf: rows(ofRank:))
            return Tensor(shape: shape, values: whole)
        }
        return try ReflowPairs(
            noise: try gathered(noiseParts), endpoints: try gathered(endpointParts), classes: classes)
    }
}
