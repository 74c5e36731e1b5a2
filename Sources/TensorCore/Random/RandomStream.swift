/// The salts that keep apart the random streams derived from one seed, named for what each
/// stream draws, so that two parts of the program given the same seed draw unrelated numbers.
///
/// Defined here, below every module that draws random numbers, so that one list holds every
/// stream, and as raw values so that the compiler rejects two streams sharing a salt. The values
/// are part of what a seed reproduces: changing one changes the results of every seeded run, so
/// they never change. Each call site keeps its own way of applying its salt (noted per group).
public enum RandomStream: UInt64, CaseIterable, Sendable {
    // Mixed with the seed and the stream's coordinates by `SeedMixing.combine` (LatentFlow) or
    // `SeedMixer.combine` (Datasets).

    /// The image loader's row order of an epoch (Datasets' batch schedule).
    case loaderEpochOrder = 0x0D3E
    /// The random crop and flip of one image: the loader's per-slot augmentation, and the
    /// augmented variants the flow stage stores per row.
    case imageAugmentation = 0xA06
    /// The starting noise of each generated sample.
    case sampleNoise = 0x501E
    /// The noise and times of one flow training step (`FlowTrainer`).
    case flowTrainingStep = 0xF10A
    /// The row order of an epoch of latents held in memory.
    case latentEpochOrder = 0x5EED_0DE2
    /// Which stored augmentation variant of a row an epoch of latents uses.
    case latentVariantChoice = 0x0A0C_0A0C
    /// The initial weights of the flow network.
    case flowInitialization = 0x1417
    /// The times, step sizes and label drops of one few-step distillation step (`FewStepTrainer`).
    case fewStepTrainingStep = 0xF57E
    /// The order of the teacher's reflow pairs in an epoch of distillation (`ReflowPairBatches`).
    case reflowPairEpochOrder = 0x2EF1_0BA7

    // XORed into the seed.

    /// The order of each class's rows in a class-balanced sample ("BALANCED" in ASCII).
    case classBalancedSample = 0x4241_4C41_4E43_4544
    /// A dataset's random validation/test split.
    case datasetSplit = 0x5EED_5B17_0000_0001
    /// The images `evaluate` picks when it uses fewer than a set holds ("EVALSELE" in ASCII).
    case evaluationImageChoice = 0x4556_414C_5345_4C45
    /// The patch discriminator's initial weights (`AdversarialTraining`).
    case discriminatorInitialization = 0xD15C_0000_0000_0001
    /// The pool of generated latents the decoder fine-tunes on ("latents" in ASCII; `GeneratedLatentPool`).
    case generatedLatentPool = 0x6C61_7465_6E74_7300

    // Added to the seed, before `evaluationImageChoice`, so each image set is chosen apart from
    // the generated one (which `evaluate` chooses with the seed itself).

    /// The real images `evaluate` compares the generated ones with.
    case evaluationRealImages = 1
    /// The real images of the floor (real against real) that `evaluate` reports beside the score.
    case evaluationFloorImages = 2

    // Added to the image index before it is mixed with the dataset seed.

    /// One image of the synthetic flowers dataset.
    case syntheticFlowerImage = 0x5851_F42D_4C95_7F2D

    /// The value that sets this stream apart.
    public var salt: UInt64 { rawValue }
}
