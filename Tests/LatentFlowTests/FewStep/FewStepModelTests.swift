import FileFormats
import Foundation
import LatentFlow
import TensorCore
import XCTest

final class FewStepModelTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fmf-fewstep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    static let tiny = UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 2, attentionLevels: 1)

    func teacher(seed: UInt64 = 5) -> FlowModel {
        var generator = SeededGenerator(seed: seed)
        return FlowModel(
            network: VelocityUNet(Self.tiny, generator: &generator),
            statistics: ChannelStatistics(mean: [0.5, -1], std: [2, 0.5]), path: .linear, sampleShape: [2, 4, 4],
            info: ["class_names": "[\"a\",\"b\"]"])
    }

    /// An ordinary model's file is what it was: no step-size key in its metadata, no new
    /// parameter, and a file whose 'unet' JSON never heard of step sizes loads as before.
    func testOrdinaryModelsAreUnchangedAndOldFilesLoad() throws {
        let model = teacher()
        XCTAssertFalse(model.network.namedParameters().contains { $0.name.hasPrefix("dmlp") })
        let url = directory.appendingPathComponent("flow.safetensors")
        try model.save(to: url)
        let file = try SafetensorsFile.read(from: url)
        XCTAssertFalse(file.metadata["unet"]!.contains("stepSize"), file.metadata["unet"]!)
        // The JSON a model written before step sizes existed carries.
        let old = #"{"attentionLevels":1,"base":8,"channels":2,"classCount":2,"multipliers":[1,2]}"#
        XCTAssertEqual(try JSONDecoder().decode(UNetConfig.self, from: Data(old.utf8)), Self.tiny)
        let loaded = try FlowModel.load(from: url)
        XCTAssertNil(try loaded.fewStepInfo(source: url.path))
        XCTAssertEqual(loaded.network.stateDictionary().keys.sorted(), model.network.stateDictionary().keys.sorted())
    }

    /// The step-size input is added last and starts at zero: the same seed builds the same
    /// weights for every other parameter, and a shortcut student copied from a teacher gives
    /// the teacher's velocity at every step size until it trains.
    func testAShortcutStudentStartsAsItsTeacher() throws {
        let teacher = teacher()
        var conditioned = Self.tiny
        conditioned.stepSizeConditioned = true
        var generator = SeededGenerator(seed: 5)
        let fresh = VelocityUNet(conditioned, generator: &generator)
        let teacherState = teacher.network.stateDictionary()
        for (name, value) in fresh.stateDictionary() where !name.hasPrefix("dmlp.") {
            XCTAssertEqual(value.values, teacherState[name]?.values, name)
        }
        XCTAssertEqual(
            Set(fresh.stateDictionary().keys).subtracting(teacherState.keys),
            ["dmlp.0.weight", "dmlp.0.bias", "dmlp.2.weight", "dmlp.2.bias"])

        let student = try teacher.student(for: .shortcut)
        var random = SeededGenerator(seed: 9)
        let x = Initialization.normal(shape: [2, 2, 4, 4], generator: &random)
        let reference = teacher.network.velocity(x, times: [0.3, 0.6], classes: [0, 2])
        for d: Float in [0, 0.25, 1] {
            let v = student.velocity(x, times: [0.3, 0.6], classes: [0, 2], stepSizes: [d, d])
            XCTAssertLessThan(v.maxAbsoluteDifference(reference), 1e-6, "d = \(d)")
        }
        XCTAssertFalse(try teacher.student(for: .reflow).conditionsOnStepSize)
    }

    /// A few-step model's file keeps its step-size input and its description, and only the step
    /// counts it was trained for are accepted.
    func testAFewStepModelRoundTripsAndChecksItsStepCounts() throws {
        var generator = SeededGenerator(seed: 2)
        let pairs = try ReflowPairs(
            noise: Initialization.normal(shape: [4, 2, 4, 4], generator: &generator),
            endpoints: Initialization.normal(shape: [4, 2, 4, 4], generator: &generator), classes: [0, 1, 2, 0])
        let teacher = teacher()
        var config = FewStepTrainingConfig()
        config.maximumSteps = 8
        let trainer = try FewStepTrainer(
            model: try teacher.student(for: .shortcut), config: config,
            batches: try ReflowPairBatches(pairs: pairs, statistics: teacher.statistics, batchSize: 4, seed: 0))
        let url = directory.appendingPathComponent("fewstep.safetensors")
        try trainer.exportModel(info: teacher.info, guidance: 3, guidanceInterval: 0.2...1).save(to: url)
        let loaded = try FlowModel.load(from: url)
        XCTAssertTrue(loaded.network.conditionsOnStepSize)
        let info = try XCTUnwrap(try loaded.fewStepInfo(source: url.path))
        XCTAssertEqual(
            info, FewStepModelInfo(method: .shortcut, maximumSteps: 8, guidance: 3, guidanceInterval: 0.2...1))
        XCTAssertEqual(loaded.info["class_names"], teacher.info["class_names"])
        XCTAssertEqual([1, 2, 3, 4, 8, 16].map(info.supports(steps:)), [true, true, false, true, true, false])
        let noise = loaded.noise(count: 2, seed: 0)
        XCTAssertEqual(try loaded.sampleFewStep(noise: noise, classes: [0, 1], steps: 2).networkPasses, 2)
        XCTAssertThrowsError(try loaded.sampleFewStep(noise: noise, classes: [0, 1], steps: 3)) { error in
            XCTAssertTrue("\(error)".contains("1, 2, 4, 8 steps, not 3"), "\(error)")
        }
        XCTAssertThrowsError(try teacher.sampleFewStep(noise: noise, classes: [0, 1], steps: 1))
    }

    /// A file whose few-step info names a method its network does not fit is refused at load,
    /// naming the file: a shortcut model without the step-size input (it would be sampled as
    /// plain Euler steps), and a reflow model with one.
    func testAFewStepMethodThatDoesNotFitTheNetworkIsRefusedAtLoad() throws {
        let teacher = teacher()
        let info = FewStepModelInfo(method: .shortcut, maximumSteps: 4, guidance: 1, guidanceInterval: 0...1)
        let plain = FlowModel(
            network: teacher.network, statistics: teacher.statistics, path: .linear, sampleShape: teacher.sampleShape,
            info: teacher.info.merging(info.infoEntries) { $1 })
        let url = directory.appendingPathComponent("shortcut-without-input.safetensors")
        try plain.save(to: url)
        XCTAssertThrowsError(try FlowModel.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            XCTAssertTrue("\(error)".contains("'shortcut', which needs the step-size input"), "\(error)")
        }

        var reflow = info
        reflow.method = .reflow
        let conditioned = FlowModel(
            network: try teacher.student(for: .shortcut), statistics: teacher.statistics, path: .linear,
            sampleShape: teacher.sampleShape, info: teacher.info.merging(reflow.infoEntries) { $1 })
        let reflowURL = directory.appendingPathComponent("reflow-with-input.safetensors")
        try conditioned.save(to: reflowURL)
        XCTAssertThrowsError(try FlowModel.load(from: reflowURL)) { error in
            XCTAssertTrue("\(error)".contains(reflowURL.path), "\(error)")
            XCTAssertTrue("\(error)".contains("has no use for the step-size input"), "\(error)")
        }
    }

    /// Pairs written to HDF5 read back bit for bit with their provenance; a damaged class is refused.
    func testReflowPairsRoundTripThroughHDF5() throws {
        let teacher = teacher()
        let provenance = ReflowPairProvenance(
            teacherSHA256: "abc", count: 6, seed: 3, sampler: SamplerSettings(method: .euler, steps: 2),
            guidance: 2, guidanceInterval: 0.1...0.9)
        let pairs = try teacher.makeReflowPairs(provenance, batch: 4)
        XCTAssertEqual(pairs.classes, [0, 1, 2, 0, 1, 2], "every class in turn, and none")
        // The endpoints are the teacher's samples of that noise, whatever the batch.
        let direct = try teacher.sample(
            noise: teacher.noise(count: 6, seed: 3), classes: pairs.classes,
            settings: provenance.sampler, guidance: 2, guidanceInterval: 0.1...0.9)
        XCTAssertLessThan(pairs.endpoints.maxAbsoluteDifference(direct.samples), 1e-4)

        let url = directory.appendingPathComponent(ReflowPairFile.fileName)
        XCTAssertNil(try ReflowPairFile.provenance(at: url))
        try ReflowPairFile.write(pairs, provenance: provenance, to: url)
        XCTAssertEqual(try ReflowPairFile.provenance(at: url), provenance)
        let (read, readProvenance) = try ReflowPairFile.read(from: url, classCount: 2)
        XCTAssertEqual(readProvenance, provenance)
        XCTAssertEqual(read.noise.values, pairs.noise.values)
        XCTAssertEqual(read.endpoints.values, pairs.endpoints.values)
        XCTAssertEqual(read.classes, pairs.classes)
        XCTAssertThrowsError(try ReflowPairFile.read(from: url, classCount: 1)) { error in
            XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains("class 2"), "\(error)")
        }
    }

    /// A few steps of each method lower the loss on a fixed batch, and a resumed run continues
    /// exactly (same weights as the uninterrupted one).
    func testTrainingLowersTheLossAndResumesExactly() throws {
        let teacher = teacher()
        let provenance = ReflowPairProvenance(
            teacherSHA256: "abc", count: 8, seed: 1, sampler: SamplerSettings(method: .euler, steps: 4),
            guidance: 1.5, guidanceInterval: 0...1)
        let pairs = try teacher.makeReflowPairs(provenance)
        for method in FewStepMethod.allCases {
            var config = FewStepTrainingConfig()
            config.method = method
            config.warmupSteps = 0
            config.learningRate = 1e-3
            config.emaDecay = nil
            config.maximumSteps = 4
            config.selfConsistencyFraction = 0.5
            config.scheduleSteps = 12  // fixed, so the 5-step session plans the same decay
            func trainer() throws -> FewStepTrainer {
                try FewStepTrainer(
                    model: try teacher.student(for: method), config: config,
                    batches: try ReflowPairBatches(pairs: pairs, statistics: teacher.statistics, batchSize: 8, seed: 0))
            }
            let straight = try trainer()
            var losses: [Double] = []
            try straight.run(budget: TrainingBudget(steps: 12), onStep: { losses.append($0.loss) })
            XCTAssertLessThan(losses.suffix(3).reduce(0, +), losses.prefix(3).reduce(0, +), "\(method): \(losses)")

            let checkpoint = directory.appendingPathComponent("\(method).safetensors")
            let first = try trainer()
            try first.run(budget: TrainingBudget(steps: 5), checkpoint: (checkpoint, 100))
            let second = try trainer()
            try second.resume(from: checkpoint)
            XCTAssertEqual(second.step, 5)
            try second.run(budget: TrainingBudget(steps: 12))
            for ((name, a), (_, b)) in zip(straight.model.namedParameters(), second.model.namedParameters()) {
                XCTAssertEqual(a.value.values, b.value.values, "\(method): \(name)")
            }
        }
    }
}
