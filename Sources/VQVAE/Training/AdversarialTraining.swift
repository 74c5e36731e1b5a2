import DataParallel
import TensorCore

/// The discriminator of the adversarial term, its optimizer, and one discriminator step; its
/// state goes into the autoencoder's checkpoint under `discriminator.` so a resumed run continues
/// exactly.
final class AdversarialTraining {
    let config: AdversarialTrainingConfig
    let discriminator: PatchDiscriminator
    let optimizer: AdamW
    /// Discriminator steps taken.
    private(set) var steps = 0

    static let parameterPrefix = "discriminator."
    static let optimizerPrefix = "discriminator-optimizer."

    init(config: AdversarialTrainingConfig, seed: UInt64) {
        self.config = config
        // Its own generator: turning the term on does not change the autoencoder's initial weights.
        var generator = SeededGenerator(seed: seed ^ RandomStream.discriminatorInitialization.salt)
        discriminator = PatchDiscriminator(config.discriminator, generator: &generator)
        optimizer = AdamW(
            parameters: discriminator.namedParameters(), learningRate: config.learningRate,
            beta1: 0.5, beta2: 0.9, epsilon: 1e-8, weightDecay: 0)
    }

    func isActive(atStep step: Int) -> Bool { step >= config.startStep }

    /// The weighted generator term for `reconstruction`. Its backward pass also leaves gradients
    /// on the discriminator's parameters; `trainDiscriminator` clears them before its own step.
    func generatorTerm(_ reconstruction: Variable) -> Variable {
        HingeLoss.generator(fake: discriminator(reconstruction)) * Float(config.weight)
    }

    /// One discriminator step on real images and (constant) decoder outputs; returns its hinge loss.
    func trainDiscriminator(real: Tensor, fake: Tensor) -> Double {
        optimizer.zeroGradients()
        let loss = HingeLoss.discriminator(real: discriminator(Variable(real)), fake: discriminator(Variable(fake)))
        loss.backward()
        optimizer.step()
        steps += 1
        return Double(loss.value.scalarValue)
    }

    /// The discriminator's step of a data-parallel rank: its loss weighs this rank's real and fake
    /// rows by their shares of the global batch's, its gradients are summed over `ranks` (whose
    /// weighted losses add up to the global batch's hinge loss), and so is the loss returned.
    func trainDiscriminator(
        real: Tensor, fake: Tensor, ranks: DataParallelGroup, realShare: Double, fakeShare: Double
    ) throws -> Double {
        optimizer.zeroGradients()
        let terms = HingeLoss.discriminatorTerms(
            real: discriminator(Variable(real)), fake: discriminator(Variable(fake)))
        let loss = terms.real * Float(realShare) + terms.fake * Float(fakeShare)
        try ranks.backwardAveragingGradients(loss, parameters: optimizer.parameters.map(\.variable), weight: 1)
        optimizer.step()
        steps += 1
        return try ranks.sum([Double(loss.value.scalarValue)])[0]
    }

    // MARK: Checkpoints

    /// Adds the discriminator's weights and optimizer moments to a checkpoint's tensors.
    func save(into parameters: inout [String: Tensor]) {
        for (name, variable) in discriminator.namedParameters() {
            parameters[Self.parameterPrefix + name] = variable.value
        }
        for (name, state) in optimizer.exportState().parameters {
            for (slot, tensor) in state.slots { parameters[Self.optimizerPrefix + name + "." + slot] = tensor }
        }
    }

    /// Takes this trainer's entries out of a checkpoint's tensors and restores from them;
    /// `steps` is the discriminator step count the checkpoint recorded.
    func restore(from parameters: inout [String: Tensor], steps: Int, source: String) throws {
        var weights: [String: Tensor] = [:]
        var moments: [String: [String: Tensor]] = [:]
        for key in parameters.keys.sorted() {
            if key.hasPrefix(Self.parameterPrefix) {
                weights[String(key.dropFirst(Self.parameterPrefix.count))] = parameters.removeValue(forKey: key)
            } else if key.hasPrefix(Self.optimizerPrefix) {
                let rest = key.dropFirst(Self.optimizerPrefix.count)
                guard let dot = rest.lastIndex(of: ".") else { continue }
                moments[String(rest[..<dot]), default: [:]][String(rest[rest.index(after: dot)...])] =
                    parameters.removeValue(forKey: key)
            }
        }
        guard !weights.isEmpty else {
            throw AutoencoderTrainingError(
                "\(source): the checkpoint has no discriminator; it was trained without the adversarial term")
        }
        try discriminator.loadStateDictionary(weights, source: source)
        if steps > 0 {
            try optimizer.importState(
                OptimizerState(
                    parameters: moments.mapValues {
                        OptimizerParameterState(step: steps, slots: $0)
                    }), source: source)
        }
        self.steps = steps
    }
}
