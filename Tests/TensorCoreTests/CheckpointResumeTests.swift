import FileFormats
import Foundation
import TensorCore
import XCTest

/// A tiny regression network: Linear(8→16) · SiLU · Linear(16→4), plus a parameter the forward
/// pass never uses (it never gets a gradient, so it never gets optimizer state).
final class TinyRegressionModel: Module {
    let hidden: Linear
    let output: Linear
    let unused: Variable

    init(seed: UInt64, hiddenWidth: Int = 16) {
        var generator = SeededGenerator(seed: seed)
        hidden = Linear(8, hiddenWidth, generator: &generator)
        output = Linear(hiddenWidth, 4, generator: &generator)
        unused = Variable(parameter: Initialization.normal(shape: [3], generator: &generator))
        super.init()
        register(hidden, as: "hidden")
        register(output, as: "output")
        registerParameter(unused, as: "unused")
    }

    func callAsFunction(_ x: Variable) -> Variable { output(hidden(x).silu()) }
}

/// One training run: model, AdamW, warm-up + cosine schedule, EMA and a data generator.
final class TinyTrainingRun {
    static let schedule = LearningRateSchedule.warmupCosine(peak: 0.02, floor: 0.002, warmupSteps: 4, totalSteps: 16)
    let model: TinyRegressionModel
    let optimizer: AdamW
    let ema: ExponentialMovingAverage
    var data: SeededGenerator
    var step = 0
    let inputs = randomTensor([64, 8], seed: 100)
    let targets = randomTensor([64, 4], seed: 101)

    init(modelSeed: UInt64, dataSeed: UInt64 = 5) {
        model = TinyRegressionModel(seed: modelSeed)
        optimizer = AdamW(parameters: model.namedParameters(), learningRate: 1, weightDecay: 0.05)
        ema = ExponentialMovingAverage(parameters: model.namedParameters(), decay: 0.9)
        data = SeededGenerator(seed: dataSeed)
    }

    /// A random batch of 8 rows with normal noise on the targets. 33 normal draws per step, an odd
    /// number, so every other checkpoint is taken with a spare normal pending in the generator.
    func nextBatch() -> (Variable, Variable) {
        let rows = (0..<8).map { _ in data.integer(below: 64) }
        let noiseScale = 0.1 * abs(data.normal())
        var x = [Float](), y = [Float]()
        for row in rows {
            x += inputs.values[(row * 8)..<(row * 8 + 8)]
            y += targets.values[(row * 4)..<(row * 4 + 4)].map { $0 + noiseScale * data.normal() }
        }
        return (Variable(Tensor(shape: [8, 8], values: x)), Variable(Tensor(shape: [8, 4], values: y)))
    }

    func train(steps: Int) {
        for _ in 0..<steps {
            optimizer.learningRate = Self.schedule(step)
            let (x, y) = nextBatch()
            mseLoss(model(x), y).backward()
            optimizer.clipGradientNorm(maxNorm: 1)
            optimizer.step()
            optimizer.zeroGradients()
            ema.update(step: step)
            step += 1
        }
    }

    func save(to url: URL) throws {
        try TrainingCheckpoint.save(
            to: url, step: step, parameters: model.namedParameters(), optimizer: optimizer,
            ema: ema, schedule: Self.schedule, generators: ["data": data],
            userInfo: #"{"batches_seen": \#(step), "config": "tiny"}"#)
    }

    func restore(from url: URL) throws {
        let checkpoint = try TrainingCheckpoint.load(from: url)
        try checkpoint.restore(parameters: model.namedParameters(), optimizer: optimizer, ema: ema)
        data = try checkpoint.generator("data")
        step = checkpoint.step
    }
}

final class CheckpointResumeTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fmf-checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Train 13 steps straight through; separately train 5 (or 6), save, restore into objects built
    /// from a different seed, and train the rest. Parameters, EMA, optimizer state and generator must
    /// be bit-identical (checkpoints at both parities of the pending spare normal).
    func testResumedRunIsBitIdenticalToUninterruptedRun() throws {
        let total = 13
        let reference = TinyTrainingRun(modelSeed: 1)
        reference.train(steps: total)

        for interruption in [5, 6] {
            let first = TinyTrainingRun(modelSeed: 1)
            first.train(steps: interruption)
            let url = directory.appendingPathComponent("step\(interruption).safetensors")
            try first.save(to: url)

            let resumed = TinyTrainingRun(modelSeed: 99, dataSeed: 1234)
            try resumed.restore(from: url)
            XCTAssertEqual(resumed.step, interruption)
            XCTAssertEqual(resumed.optimizer.learningRate, TinyTrainingRun.schedule(interruption - 1))
            resumed.train(steps: total - interruption)

            let context = "after resuming at step \(interruption)"
            for (a, b) in zip(reference.model.namedParameters(), resumed.model.namedParameters()) {
                XCTAssertEqual(a.name, b.name)
                assertBitIdentical(a.variable.value, b.variable.value, "parameter \(a.name) \(context)")
            }
            let referenceAverages = reference.ema.averagesByName(), resumedAverages = resumed.ema.averagesByName()
            for (name, average) in referenceAverages {
                assertBitIdentical(average, resumedAverages[name] ?? Tensor(zeros: [0]), "EMA \(name) \(context)")
            }
            XCTAssertTrue(
                reference.optimizer.exportState() == resumed.optimizer.exportState(), "optimizer state \(context)")
            XCTAssertTrue(reference.data == resumed.data, "data generator state \(context)")
        }
        // The run did learn something and the unused parameter stayed put without optimizer state.
        XCTAssertNil(reference.optimizer.state(of: "unused"))
        XCTAssertEqual(reference.model.unused.value, TinyRegressionModel(seed: 1).unused.value)
    }

    func testMetadataRoundTrip() throws {
        let run = TinyTrainingRun(modelSeed: 1)
        run.train(steps: 3)
        _ = run.data.normal()  // leave a spare pending
        let url = directory.appendingPathComponent("meta.safetensors")
        try run.save(to: url)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory.path), ["meta.safetensors"],
            "no temporary files left behind")

        let checkpoint = try TrainingCheckpoint.load(from: url)
        XCTAssertEqual(checkpoint.step, 3)
        XCTAssertEqual(checkpoint.schedule, TinyTrainingRun.schedule)
        XCTAssertEqual(checkpoint.generators["data"], run.data)
        XCTAssertEqual(checkpoint.optimizer?.algorithm, "AdamW")
        XCTAssertEqual(checkpoint.optimizer?.hyperParameters["weight_decay"], 0.05)
        XCTAssertEqual(checkpoint.optimizer?.hyperParameters["lr"], TinyTrainingRun.schedule(2))
        XCTAssertEqual(checkpoint.ema?.decay, 0.9)
        XCTAssertEqual(checkpoint.ema?.warmup, true)
        XCTAssertEqual(checkpoint.source, url.path)
        let user = try JSONSerialization.jsonObject(with: Data(checkpoint.userInfo.utf8)) as? [String: Any]
        XCTAssertEqual(user?["batches_seen"] as? Int, 3)
        XCTAssertEqual(
            checkpoint.parameters.keys.sorted(),
            ["hidden.bias", "hidden.weight", "output.bias", "output.weight", "unused"])

        // The file itself uses the documented names.
        let file = try SafetensorsFile.read(from: url)
        for key in [
            "hidden.weight", "optimizer.hidden.weight.exp_avg", "optimizer.hidden.weight.exp_avg_sq",
            "optimizer.hidden.weight.step", "ema.hidden.weight", "ema.unused",
        ] {
            XCTAssertNotNil(file.tensors[key], key)
        }
        XCTAssertNil(file.tensors["optimizer.unused.exp_avg"])
        XCTAssertEqual(try file.tensors["optimizer.output.bias.step"]?.int64s(), [3])
        XCTAssertEqual(file.metadata["format"], TrainingCheckpoint.formatName)
    }

    /// Saving while the EMA weights are swapped in still stores the trained weights as parameters.
    func testSaveWhileEMASwappedStoresTrainedWeights() throws {
        let run = TinyTrainingRun(modelSeed: 1)
        run.train(steps: 2)
        let trained = run.model.stateDictionary()
        let averages = run.ema.averagesByName()
        XCTAssertNotEqual(trained, averages)
        let url = directory.appendingPathComponent("swapped.safetensors")
        try run.ema.withAveragedParameters { try run.save(to: url) }
        let checkpoint = try TrainingCheckpoint.load(from: url)
        XCTAssertEqual(checkpoint.parameters, trained)
        XCTAssertEqual(checkpoint.ema?.averages, averages)
    }

    private func assertBitIdentical(
        _ a: Tensor, _ b: Tensor, _ what: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        guard a.shape == b.shape else {
            return XCTFail("\(what): shapes \(a.shape) and \(b.shape)", file: file, line: line)
        }
        let differing = zip(a.values, b.values).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(
            differing, 0,
            "\(what): \(differing) of \(a.count) elements differ, "
                + "max |difference| \(a.maxAbsoluteDifference(b))", file: file, line: line)
    }

    // MARK: Errors name the file

    private func savedCheckpoint() throws -> URL {
        let run = TinyTrainingRun(modelSeed: 1)
        run.train(steps: 2)
        let url = directory.appendingPathComponent("saved.safetensors")
        try run.save(to: url)
        return url
    }

    private func assertFileError(
        _ url: URL, contains text: String, file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(
                message.hasPrefix(url.path), "error does not start with the file: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(text), "expected '\(text)' in: \(message)", file: file, line: line)
        }
    }

    /// Rewrites the checkpoint with `edit` applied to its tensors and metadata.
    private func tamper(_ url: URL, _ edit: (inout SafetensorsFile) -> Void) throws {
        var file = try SafetensorsFile.read(from: url)
        edit(&file)
        try file.write(to: url)
    }

    func testMissingAndMisshapenParameters() throws {
        let url = try savedCheckpoint()
        let checkpoint = try TrainingCheckpoint.load(from: url)
        let wider = TinyRegressionModel(seed: 1, hiddenWidth: 17)
        assertFileError(url, contains: "hidden.weight has shape [16, 8], the parameter has [17, 8]") {
            try checkpoint.restore(parameters: wider.namedParameters())
        }
        let extra =
            TinyRegressionModel(seed: 1).namedParameters() + [("extra.weight", Variable(parameter: Tensor(zeros: [1])))]
        assertFileError(url, contains: "missing parameter for extra.weight") {
            try checkpoint.restore(parameters: extra)
        }

        try tamper(url) { $0.tensors["output.bias"] = nil }
        let model = TinyRegressionModel(seed: 7)
        let before = model.stateDictionary()
        assertFileError(url, contains: "missing parameter for output.bias") {
            try TrainingCheckpoint.load(from: url).restore(parameters: model.namedParameters())
        }
        XCTAssertEqual(model.stateDictionary(), before, "a failed restore changes nothing")
    }

    func testMissingOrMisshapenOptimizerAndEMAState() throws {
        let url = try savedCheckpoint()
        try tamper(url) { $0.tensors["optimizer.hidden.bias.exp_avg_sq"] = nil }
        let run = TinyTrainingRun(modelSeed: 3)
        let before = run.model.stateDictionary()
        assertFileError(url, contains: "optimizer state for 'hidden.bias' has slots [\"exp_avg\"]") {
            try run.restore(from: url)
        }
        XCTAssertEqual(run.model.stateDictionary(), before, "a failed restore changes nothing")

        try tamper(url) {
            $0.tensors["optimizer.hidden.bias.exp_avg_sq"] = SafetensorsTensor(floats: [1, 2], shape: [2])
        }
        assertFileError(url, contains: "'hidden.bias.exp_avg_sq' has shape [2], the parameter has [16]") {
            try run.restore(from: url)
        }

        try tamper(url) { $0.tensors["optimizer.hidden.bias.step"] = nil }
        assertFileError(url, contains: "missing tensor 'optimizer.hidden.bias.step'") {
            _ = try TrainingCheckpoint.load(from: url)
        }

        let emaURL = try savedCheckpoint()
        try tamper(emaURL) { $0.tensors["ema.output.weight"] = nil }
        assertFileError(emaURL, contains: "missing EMA average for output.weight") {
            try run.restore(from: emaURL)
        }
    }

    func testMalformedMetadataAndForeignFiles() throws {
        let url = try savedCheckpoint()
        try tamper(url) { $0.metadata["rng.data"] = "1,2,3" }
        assertFileError(url, contains: "metadata 'rng.data' is not a saved random generator state") {
            _ = try TrainingCheckpoint.load(from: url)
        }
        try tamper(url) { $0.metadata["schedule"] = #"{"sawtooth": {}}"# }
        assertFileError(url, contains: "metadata 'schedule'") { _ = try TrainingCheckpoint.load(from: url) }

        let foreign = directory.appendingPathComponent("weights.safetensors")
        try SafetensorsFile(tensors: ["w": SafetensorsTensor(floats: [1], shape: [1])]).write(to: foreign)
        assertFileError(foreign, contains: "not a training checkpoint") {
            _ = try TrainingCheckpoint.load(from: foreign)
        }

        let checkpoint = try TrainingCheckpoint.load(from: try savedCheckpoint())
        assertFileError(url, contains: "no random generator 'noise'") { _ = try checkpoint.generator("noise") }

        let bad = directory.appendingPathComponent("bad-user.safetensors")
        let model = TinyRegressionModel(seed: 1)
        assertFileError(bad, contains: "not valid JSON") {
            try TrainingCheckpoint.save(to: bad, step: 0, parameters: model.namedParameters(), userInfo: "{oops")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.path))

        // A checkpoint without an EMA cannot restore one; without an optimizer it cannot restore that either.
        let bare = directory.appendingPathComponent("bare.safetensors")
        try TrainingCheckpoint.save(to: bare, step: 0, parameters: model.namedParameters())
        let run = TinyTrainingRun(modelSeed: 1)
        assertFileError(bare, contains: "has no EMA averages") {
            try TrainingCheckpoint.load(from: bare).restore(parameters: run.model.namedParameters(), ema: run.ema)
        }
        assertFileError(bare, contains: "has no optimizer state") {
            try TrainingCheckpoint.load(from: bare).restore(
                parameters: run.model.namedParameters(),
                optimizer: run.optimizer)
        }
        // Restoring AdamW state into plain Adam is refused.
        let adam = Adam(parameters: run.model.namedParameters())
        assertFileError(url, contains: "optimizer is AdamW, it cannot be restored into Adam") {
            try TrainingCheckpoint.load(from: try savedCheckpoint()).restore(
                parameters: run.model.namedParameters(),
                optimizer: adam)
        }
    }
}
