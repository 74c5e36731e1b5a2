import TensorCore

/// A class-conditional velocity model: v(x, t, class), where `nullClass` means "no class".
public protocol ConditionalVelocityModel: AnyObject {
    var nullClass: Int { get }
    /// Velocities of a batch [N, C, H, W] at per-sample times and classes (inference: no graph).
    func velocity(_ x: Tensor, times: [Float], classes: [Int]) -> Tensor
}

extension VelocityUNet: ConditionalVelocityModel {
    public func velocity(_ x: Tensor, times: [Float], classes: [Int]) -> Tensor {
        withoutGradients { self(Variable(x), times: times, classes: classes).value }
    }
}

/// Classifier-free guidance (Ho & Salimans 2022): v = v_uncond + w·(v_cond − v_uncond).
///
/// w = 1 is the plain conditional model and costs one network pass per evaluation; w = 0 is the
/// unconditional model; any other w evaluates the conditional and unconditional velocities
/// (batched together as 2N samples, but two network passes over the batch: the NFE of the
/// literature counts them both).
///
/// Guidance can be limited to an interval of times (Kynkäänniemi et al. 2024, "Applying guidance
/// in a limited interval improves sample and distribution quality"): outside it the conditional
/// model alone drives the flow. Near the noise (t = 0) guidance mostly pulls every sample of a
/// class to the same colours and layout; later it sharpens shapes. The field then switches at
/// the interval's ends (`switchTimes`); a sampler decides per solver step, by the piece of the
/// time axis the step lies in, so that one step never mixes guided and unguided evaluations.
public struct GuidedVelocity {
    public let model: ConditionalVelocityModel
    public let classes: [Int]
    public let scale: Float
    /// Times at which the guidance applies (0: noise, 1: data); the conditional model elsewhere.
    public let interval: ClosedRange<Float>
    /// Largest batch given to the network at once (nil: everything in one pass); bounds the
    /// memory of big images.
    public let maximumBatch: Int?
    /// Network passes over the batch so far: two for a guided evaluation (conditional and
    /// unconditional), one for any other; splitting a batch into chunks does not change it.
    public private(set) var passes = 0
    /// Evaluations that applied guidance (each made two of the `passes`).
    public private(set) var guidedEvaluations = 0

    public init(
        model: ConditionalVelocityModel, classes: [Int], scale: Float, interval: ClosedRange<Float> = 0...1,
        maximumBatch: Int? = nil
    ) {
        self.model = model
        self.classes = classes
        self.scale = scale
        self.interval = interval
        self.maximumBatch = maximumBatch.map { max(1, $0) }
    }

    /// Whether an evaluation runs the conditional and unconditional batches together.
    public var isGuided: Bool { scale != 1 && scale != 0 && classes.contains { $0 != model.nullClass } }

    /// Times at which the field changes: the interval's ends, when the scale makes a difference.
    public var switchTimes: [Float] {
        scale != 1 && classes.contains { $0 != model.nullClass } ? [interval.lowerBound, interval.upperBound] : []
    }

    /// The guided velocity of the batch `x` (one sample per class in `classes`) at time `t`,
    /// guided if `t` lies in the interval.
    public mutating func callAsFunction(_ x: Tensor, _ t: Float) -> Tensor {
        velocity(x, t, inInterval: interval.contains(t))
    }

    /// The velocity at time `t` of a solver step within `piece`, a span of times between two of
    /// `switchTimes` (or the ends of the integration): guided if the piece lies in the interval,
    /// whatever the time of this evaluation, so that a step ending on the interval's start is
    /// not guided at its last evaluation.
    public mutating func callAsFunction(_ x: Tensor, _ t: Float, piece: ClosedRange<Float>) -> Tensor {
        velocity(x, t, inInterval: interval.contains((piece.lowerBound + piece.upperBound) / 2))
    }

    private mutating func velocity(_ x: Tensor, _ t: Float, inInterval: Bool) -> Tensor {
        let n = classes.count
        precondition(x.rank >= 1 && x.shape[0] == n, "GuidedVelocity: \(n) classes for a batch of shape \(x.shape)")
        let null = model.nullClass
        if !isGuided || !inInterval {
            // Outside the interval the conditional model alone, whatever the scale.
            let effective = scale == 0 && inInterval ? Array(repeating: null, count: n) : classes
            passes += 1
            return evaluate(x, t, effective)
        }
        passes += 2
        guidedEvaluations += 1
        let both = evaluate(Tensor.concatenatingRows([x, x]), t, classes + Array(repeating: null, count: n))
        let conditional = both.rows(0..<n), unconditional = both.rows(n..<(2 * n))
        return Tensor.combination(unconditional, [(scale, conditional), (-scale, unconditional)])
    }

    private func evaluate(_ x: Tensor, _ t: Float, _ classes: [Int]) -> Tensor {
        let n = classes.count
        let chunk = maximumBatch ?? n
        if chunk >= n {
            return model.velocity(x, times: Array(repeating: t, count: n), classes: classes)
        }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: n, by: chunk) {
            let range = start..<min(n, start + chunk)
            parts.append(
                model.velocity(
                    x.rows(range), times: Array(repeating: t, count: range.count),
                    classes: Array(classes[range])))
        }
        return Tensor.concatenatingRows(parts)
    }
}
