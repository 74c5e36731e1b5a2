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
    public func makeReflowPairs(
        _ provenance: ReflowPairProvenance, batch: Int = 64,
        progress: (Int) -> Void = { _ in }
    ) throws -> ReflowPairs {
        guard provenance.count >= 1 else {
            throw FlowTrainingError("reflow pairs: the count must be positive, got \(provenance.count)")
        }
        let classes = reflowClasses(count: provenance.count)
        var noiseParts: [Tensor] = [], endpointParts: [Tensor] = []
        for start in stride(from: 0, to: provenance.count, by: max(1, batch)) {
            let range = start..<min(provenance.count, start + max(1, batch))
            let z = noise(count: range.count, seed: provenance.seed, first: start)
            let result = try sample(
                noise: z, classes: Array(classes[range]), settings: provenance.sampler,
                guidance: provenance.guidance, guidanceInterval: provenance.guidanceInterval)
            noiseParts.append(z)
            endpointParts.append(result.samples)
            progress(range.upperBound)
        }
        return try ReflowPairs(
            noise: Tensor.concatenatingRows(noiseParts), endpoints: Tensor.concatenatingRows(endpointParts),
            classes: classes)
    }
}
