import FileFormats
import Foundation
import LatentFlow
import TensorCore
import XCTest

final class FlowTrainerTests: XCTestCase {
    static let unet = UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 3, attentionLevels: 1)
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fmf-flow-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// 48 samples of 2×8×8 in 3 classes: a per-class pattern plus a little noise, with an
    /// offset and scale the standardisation has to take out.
    static func dataset(seed: UInt64 = 1) -> (samples: Tensor, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let patterns = (0..<3).map { _ in Initialization.normal(shape: [128], generator: &generator).values }
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<48 {
            let c = i % 3
            labels.append(c)
            values += patterns[c].map { 3 + 2 * ($0 + 0.1 * generator.normal()) }
        }
        return (Tensor(shape: [48, 2, 8, 8], values: values), labels)
    }

    static func trainer(modelSeed: UInt64 = 0, configure: (inout FlowTrainingConfig) -> Void = { _ in }) throws
        -> FlowTrainer
    {
        let (samples, labels) = dataset()
        let source = try InMemoryBatchSource(samples: samples, labels: labels, batchSize: 12, seed: 4)
        var generator = SeededGenerator(seed: modelSeed)
        let model = VelocityUNet(unet, generator: &generator)
        var config = FlowTrainingConfig()
        config.learningRate = 3e-3
        config.minimumLearningRate = 3e-4
        config.warmupSteps = 5
        config.emaDecay = 0.9
        configure(&config)
        return try FlowTrainer(
            model: model, config: config, statistics: ChannelStatistics.measure(samples), source: source)
    }

    func testTrainingReducesTheLoss() throws {
        let trainer = try Self.trainer { $0.timeSampling = .uniform }
        var losses: [Double] = []
        var buckets = FlowStepAverages(buckets: 5)
        let end = try trainer.run(
            budget: TrainingBudget(steps: 80),
            onStep: { report in
                losses.append(report.loss)
                if report.step > 60 { buckets.add(report) }
                XCTAssertEqual(report.bucketCounts.reduce(0, +), 12)
            })
        XCTAssertEqual(end, .stepBudget)
        XCTAssertEqual(trainer.step, 80)
        let first = losses.prefix(10).reduce(0, +) / 10, last = losses.suffix(20).reduce(0, +) / 20
        XCTAssertGreaterThan(first, 1.2, "an untrained network misses the target x₁ − x₀ (variance ≈ 2)")
        XCTAssertLessThan(last, 0.6 * first, "losses \(first) → \(last)")
        // (Measured: 1.97 → 0.89.)
        XCTAssertEqual(buckets.bucketLosses.compactMap { $0 }.count, 5, "every time bucket saw samples")
        XCTAssertTrue(buckets.bucketLosses.allSatisfy { $0!.isFinite && $0! > 0 })
    }

    /// A run checkpointed at step 4 and resumed (into a network with other initial weights)
    /// ends bit for bit where the uninterrupted run ends, with every option that draws random
    /// numbers switched on.
    func testResumeIsBitIdentical() throws {
        let configure: (inout FlowTrainingConfig) -> Void = {
            $0.optimalTransport = true
            $0.labelDropout = 0.3
            $0.path = .cosine
            $0.timeSampling = TimeSampling(.logitNormal(mean: 0.2, std: 1.2), shift: 2)
            $0.weightDecay = 0.01
        }
        let reference = try Self.trainer(configure: configure)
        try reference.run(budget: TrainingBudget(steps: 9))

        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors")
        let first = try Self.trainer(configure: configure)
        try first.run(
            budget: TrainingBudget(steps: 9), checkpoint: (checkpoint, 4),
            shouldStop: { first.step >= 4 })
        XCTAssertEqual(first.step, 4)

        let resumed = try Self.trainer(modelSeed: 99, configure: configure)
        try resumed.resume(from: checkpoint)
        XCTAssertEqual(resumed.step, 4)
        XCTAssertEqual(resumed.scheduleSteps, 9)
        try resumed.run(budget: TrainingBudget(steps: 9))

        for (a, b) in zip(reference.model.namedParameters(), resumed.model.namedParameters()) {
            XCTAssertEqual(a.name, b.name)
            XCTAssertTrue(a.variable.value == b.variable.value, "parameter \(a.name) differs after resuming")
        }
        XCTAssertTrue(reference.ema!.averagesByName() == resumed.ema!.averagesByName(), "EMA averages differ")
        XCTAssertTrue(reference.optimizer.exportState() == resumed.optimizer.exportState(), "optimizer state differs")
    }

    func testResumeRefusesAnotherConfiguration() throws {
        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors")
        let trainer = try Self.trainer()
        try trainer.run(budget: TrainingBudget(steps: 2), checkpoint: (checkpoint, 10))
        let other = try Self.trainer { $0.labelDropout = 0.5 }
        XCTAssertThrowsError(try other.resume(from: checkpoint)) { error in
            XCTAssertTrue("\(error)".contains(checkpoint.path), "\(error)")
            XCTAssertTrue("\(error)".contains("training configuration"), "\(error)")
        }
        let settings = try FlowTrainer.checkpointSettings(at: checkpoint)
        XCTAssertEqual(settings.step, 2)
        XCTAssertEqual(settings.unet, Self.unet)
    }

    func testTimeBudgetEstimatesTheScheduleLength() throws {
        let trainer = try Self.trainer()
        let end = try trainer.run(budget: TrainingBudget(seconds: 0.5))
        XCTAssertEqual(end, .timeBudget)
        let length = try XCTUnwrap(trainer.scheduleSteps, "schedule length estimated after the calibration steps")
        XCTAssertGreaterThan(length, TimeBudgetPlanner.defaultCalibrationSteps)
        // The plan follows the steps to the end of the time: the decay is finished when it stops.
        XCTAssertLessThanOrEqual(
            abs(length - trainer.step), max(2, trainer.step / 10), "planned \(length), trained \(trainer.step)")
    }

    /// A time budget covers every session: a resumed run trains only what is left of it.
    func testAResumedRunTrainsWhatIsLeftOfItsTimeBudget() throws {
        let checkpoint = directory.appendingPathComponent("c.safetensors")
        let first = try Self.trainer()
        var steps = 0
        try first.run(
            budget: TrainingBudget(seconds: 0.3), checkpoint: (checkpoint, 1000),
            shouldStop: { steps >= 3 }, onStep: { _ in steps += 1 })
        XCTAssertEqual(first.step, 3, "stopped early, with time left")
        let resumed = try Self.trainer()
        try resumed.resume(from: checkpoint)
        // The checkpoint holds the time trained up to its save.
        XCTAssertGreaterThan(resumed.trainingSeconds, 0)
        XCTAssertLessThanOrEqual(resumed.trainingSeconds, first.trainingSeconds)
        let end = try resumed.run(budget: TrainingBudget(seconds: 0.3), checkpoint: (checkpoint, 1000))
        XCTAssertEqual(end, .timeBudget)
        XCTAssertGreaterThanOrEqual(resumed.trainingSeconds, 0.3)
        // Spent: a further session trains nothing.
        let spent = try Self.trainer()
        try spent.resume(from: checkpoint)
        let stepBefore = spent.step
        XCTAssertEqual(try spent.run(budget: TrainingBudget(seconds: 0.3)), .timeBudget)
        XCTAssertEqual(spent.step, stepBefore)
    }

    func testMismatchedDataIsRejected() throws {
        var generator = SeededGenerator(seed: 0)
        let model = VelocityUNet(Self.unet, generator: &generator)
        let threeChannels = ClosureBatchSource(sampleShape: [3, 8, 8]) { _ in
            FlowBatch(data: Tensor(zeros: [2, 3, 8, 8]), labels: [0, 1])
        }
        XCTAssertThrowsError(
            try FlowTrainer(
                model: model, config: FlowTrainingConfig(),
                statistics: .identity(channels: 3), source: threeChannels))
        let oddSize = ClosureBatchSource(sampleShape: [2, 7, 7]) { _ in
            FlowBatch(data: Tensor(zeros: [2, 2, 7, 7]), labels: [0, 1])
        }
        XCTAssertThrowsError(
            try FlowTrainer(
                model: model, config: FlowTrainingConfig(),
                statistics: .identity(channels: 2), source: oddSize))
        let badLabels = ClosureBatchSource(sampleShape: [2, 8, 8]) { _ in
            FlowBatch(data: Tensor(zeros: [2, 2, 8, 8]), labels: [0, 7])
        }
        let trainer = try FlowTrainer(
            model: model, config: FlowTrainingConfig(), statistics: .identity(channels: 2), source: badLabels)
        XCTAssertThrowsError(try trainer.trainStep()) { XCTAssertTrue("\($0)".contains("label 7"), "\($0)") }
        var config = FlowTrainingConfig()
        config.labelDropout = 2
        XCTAssertThrowsError(
            try FlowTrainer(model: model, config: config, statistics: .identity(channels: 2), source: badLabels))
    }

    /// The exported model (EMA weights) survives a save and load, and samples in the data space.
    func testExportedModelRoundTripsAndSamples() throws {
        let trainer = try Self.trainer()
        try trainer.run(budget: TrainingBudget(steps: 3))
        let model = try trainer.exportModel(info: ["space": "test"])
        XCTAssertTrue(model.network.stateDictionary() == trainer.ema!.averagesByName())
        let url = directory.appendingPathComponent("model.safetensors")
        try model.save(to: url)
        let loaded = try FlowModel.load(from: url)
        XCTAssertTrue(loaded.network.stateDictionary() == model.network.stateDictionary())
        XCTAssertEqual(loaded.statistics, model.statistics)
        XCTAssertEqual(loaded.sampleShape, [2, 8, 8])
        XCTAssertEqual(loaded.info["space"], "test")

        let noise = loaded.noise(count: 4, seed: 5)
        XCTAssertEqual(
            loaded.noise(count: 2, seed: 5, first: 2), noise.gathering(rows: 2..<4),
            "a sample's noise does not depend on the batch it is drawn in")
        let samples = try loaded.sample(
            noise: noise, classes: [0, 1, 2, 3], settings: SamplerSettings(method: .heun, steps: 3),
            guidance: 2
        ) { $0.map { ($0 * 2).rounded() / 2 } }
        XCTAssertEqual(samples.evaluations, 6)
        XCTAssertEqual(samples.networkPasses, 12, "guided: two passes per evaluation")
        XCTAssertEqual(samples.samples.shape, [4, 2, 8, 8])
        XCTAssertEqual(samples.snapped?.values, samples.samples.values.map { ($0 * 2).rounded() / 2 })
        XCTAssertThrowsError(try loaded.sample(noise: noise, classes: [0, 1, 2, 4], settings: SamplerSettings()))

        try Data("not a model".utf8).write(to: url)
        XCTAssertThrowsError(try FlowModel.load(from: url)) { XCTAssertTrue("\($0)".contains(url.path)) }
    }

    func testInMemorySourceVisitsEverySampleOncePerEpoch() throws {
        let values = (0..<10).flatMap { i in [Float(i), Float(i) + 0.5] }  // 2 variants each
        let source = try InMemoryBatchSource(
            samples: Tensor(shape: [10, 2, 1, 1, 1], values: values),
            labels: Array(0..<10), batchSize: 3, seed: 1)
        XCTAssertEqual(source.batchesPerEpoch, 3)
        var seen: [Int] = []
        for step in 0..<3 {
            let batch = try source.batch(forStep: step)
            for (k, label) in batch.labels.enumerated() {
                XCTAssertEqual(batch.data.values[k].rounded(.down), Float(label), "labels stay with their data")
            }
            seen += batch.labels
        }
        XCTAssertEqual(Set(seen).count, 9, "no sample twice within an epoch")
        XCTAssertEqual(
            try source.batch(forStep: 4).data, try source.batch(forStep: 4).data, "a pure function of the step")
        let variants = try (0..<30).flatMap { try source.batch(forStep: $0).data.values }
        XCTAssertTrue(
            variants.contains { $0 != $0.rounded(.down) } && variants.contains { $0 == $0.rounded(.down) },
            "both variants are used")
        XCTAssertThrowsError(
            try InMemoryBatchSource(samples: Tensor(zeros: [2, 1, 1, 1]), labels: [0, 1], batchSize: 3, seed: 0))
    }
}

extension Tensor {
    func gathering(rows range: Range<Int>) -> Tensor {
        let per = count / shape[0]
        return Tensor(
            shape: [range.count] + shape.dropFirst(),
            values: Array(values[(range.lowerBound * per)..<(range.upperBound * per)]))
    }
}
