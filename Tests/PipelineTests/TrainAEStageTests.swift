import Datasets
import FileFormats
import Foundation
import Pipeline
import TensorCore
import VQVAE
import XCTest

final class TrainAEStageTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-ae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A synthetic 32 px dataset in `<folder>/artifacts/<run>/dataset`.
    private func prepare(run: String, count: Int = 40) throws {
        var options = PrepareStage.Options()
        options.count = count
        options.classes = 2
        options.size = 32
        options.margin = 4
        options.run = run
        options.output = folder.appendingPathComponent("artifacts/\(run)/dataset").path
        try PrepareStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })
    }

    /// A tiny network (widths 8/16/16, 3 levels of 16 codes) trained on batches of 4.
    private func options(run: String, steps: Int) -> TrainAEOptions {
        var o = TrainAEOptions()
        o.run = run
        o.artifacts = folder.appendingPathComponent("artifacts").path
        o.steps = steps
        o.widthScale = 0.125
        o.levels = 3
        o.codebookSize = 16
        o.batchSize = 4
        o.warmupSteps = 2
        o.learningRate = 3e-3
        o.kmeansBatches = 2
        o.checkpointEvery = 4
        o.gridEvery = 5
        o.quantizer.deadCodeWindow = 2
        return o
    }

    private func run(_ options: TrainAEOptions, stopAfter: Int? = nil) throws -> (TrainAEResult, String) {
        let output = WrittenText()
        var polls = 0
        let result = try TrainAEStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: output.append)
        {
            polls += 1
            return stopAfter.map { polls > $0 } ?? false
        }
        return (result, output.text)
    }

    /// The saved model holds the EMA weights; its codebooks must be those of that encoder: at
    /// every level, each code used is the mean of the (residual) latents of the training images
    /// it quantizes — a fixed point of Lloyd's step. (They were the live codebooks, fitted to the
    /// raw encoder's latents.) The checkpoint keeps the live codebooks for --resume.
    func testTheSavedCodebooksAreThoseOfTheSavedEncoder() throws {
        try prepare(run: "refit")
        var o = options(run: "refit", steps: 12)
        o.augment = false
        let (result, text) = try run(o)
        XCTAssertTrue(text.contains("codebooks refitted to the saved (EMA) encoder's latents of"), text)
        let model = try RVQAutoencoder.load(from: result.modelURL)
        let cache = try DatasetCache.open(folder.appendingPathComponent("artifacts/refit/dataset"))
        var values: [Float] = []
        let reader = try SequentialReader(cache: cache, subsets: Set(o.trainSubsets), batchSize: 16)
        try reader.forEach { batch in
            values += withoutGradients { model.encodeContinuous(Variable(batch.images)).value }.values
        }
        let latents = Tensor(shape: [reader.rows.count] + model.latentShape, values: values)
        let d = model.config.quantizer.dimension
        var residual = LatentVectors.rows(of: latents).values
        var largestGap: Float = 0
        for level in model.quantizer.levels {
            let codes = level.search.nearest(Tensor(shape: [residual.count / d, d], values: residual))
            var sums = [Double](repeating: 0, count: level.codeCount * d),
                counts = [Int](repeating: 0, count: level.codeCount)
            for (i, code) in codes.enumerated() {
                counts[Int(code)] += 1
                for j in 0..<d { sums[Int(code) * d + j] += Double(residual[i * d + j]) }
            }
            let table = level.codebook.values
            for c in 0..<level.codeCount where counts[c] > 0 {
                for j in 0..<d {
                    largestGap = max(largestGap, abs(table[c * d + j] - Float(sums[c * d + j] / Double(counts[c]))))
                }
            }
            for (i, code) in codes.enumerated() {
                for j in 0..<d { residual[i * d + j] -= table[Int(code) * d + j] }
            }
        }
        XCTAssertLessThan(largestGap, 1e-4, "a code away from the mean of its latents")
        let checkpoint = try SafetensorsFile.read(
            from: result.stageFolder.appendingPathComponent("checkpoint.safetensors"))
        let saved = try SafetensorsFile.read(from: result.modelURL)
        XCTAssertNotEqual(
            checkpoint.tensors["rvq.levels.0.codebook"], saved.tensors["rvq.levels.0.codebook"],
            "the checkpoint keeps the live codebooks")
    }

    func testTrainingImprovesTheLossAndWritesEveryWrittenText() throws {
        try prepare(run: "a")
        var o = options(run: "a", steps: 40)
        o.augment = false
        let (result, text) = try run(o)
        XCTAssertFalse(result.stopped)
        XCTAssertEqual(result.step, 40)
        let stage = result.stageFolder
        let records = try lines(stage.appendingPathComponent("metrics.jsonl"))
        XCTAssertEqual(records.map { $0["step"] as? Int }, (0..<40).map { $0 })
        let losses = records.map { $0["loss"] as! Double }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        XCTAssertLessThan(last, 0.8 * first, "loss went from \(first) to \(last)")

        let files = Set(try FileManager.default.contentsOfDirectory(atPath: stage.path))
        for name in [
            "model.safetensors", "checkpoint.safetensors", "metrics.jsonl", "evaluation.json", "reconstructions.png",
            "manifest.json", "grids",
        ] {
            XCTAssertTrue(files.contains(name), "\(name) missing from \(files.sorted())")
        }
        XCTAssertFalse(files.contains { $0.contains(".tmp") }, "\(files)")
        // Grids every 5 steps once the codebooks exist, and at the end: originals, quantized, continuous.
        let grids = try FileManager.default.contentsOfDirectory(atPath: stage.appendingPathComponent("grids").path)
            .sorted()
        XCTAssertEqual(grids.first, "step-000005.png")
        XCTAssertEqual(grids.last, "step-000040.png")
        let grid = try PNGImage.read(from: stage.appendingPathComponent("reconstructions.png"))
        XCTAssertEqual(grid.height, 3 * 32 + 4 * 2)
        XCTAssertEqual(grid.width, 4 * 32 + 5 * 2, "the 4 validation images of the 40")

        let manifest = try TrainAEStage.Manifest.read(from: stage)
        XCTAssertEqual(manifest.status, "complete")
        XCTAssertEqual(manifest.stage, "autoencoder")
        XCTAssertEqual(manifest.inputs.map(\.path), ["dataset/images.h5", "dataset/manifest.json"])
        let model = manifest.outputs.first { $0.path == "model.safetensors" }!
        XCTAssertEqual(model.sha256, try SHA256.hashFile(at: stage.appendingPathComponent("model.safetensors")).hex)

        let report = try XCTUnwrap(result.evaluation)
        XCTAssertEqual(report.subset, "validation")
        XCTAssertEqual(report.images, 4)
        XCTAssertEqual(report.quantized.map(\.levels), [1, 2, 3])
        XCTAssertEqual(report.codeUsage.count, 3)
        XCTAssertEqual(report.bitsPerImage, 3 * 16 * 4, "3 levels × 16 positions × 4 bits")
        XCTAssertTrue(report.continuous.psnr.isFinite && report.continuous.ssim < 1)
        XCTAssertEqual(report.slicedWasserstein?.resolutions, [32, 16])
        XCTAssertGreaterThan(report.slicedWasserstein?.mean ?? 0, 0)
        XCTAssertTrue(text.contains("held-out evaluation: 4 validation images at step 40 (EMA weights)"), text)
        XCTAssertTrue(text.contains("3 levels"), text)

        // The saved model loads and evaluates the same way on its own.
        let again = try TrainAEStage.evaluateSaved(o, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })
        XCTAssertEqual(again.quantized.map(\.psnr), report.quantized.map(\.psnr))
        let loaded = try RVQAutoencoder.load(from: result.modelURL)
        XCTAssertEqual(loaded.config.imageSize, 32)
    }

    /// Interrupted at step 1 (before the codebooks start at step 2) and again at step 5 (after
    /// the quantizer's generator has driven k-means, dropout and restarts), then finished: the
    /// end state is bit-identical to an uninterrupted run.
    func testResumeIsBitIdentical() throws {
        try prepare(run: "whole")
        try prepare(run: "parts")
        var whole = options(run: "whole", steps: 11)
        whole.quantizerStartStep = 2
        let (full, _) = try run(whole)
        XCTAssertFalse(full.stopped)

        var parts = whole
        parts.run = "parts"
        let (first, text) = try run(parts, stopAfter: 1)
        XCTAssertTrue(first.stopped)
        XCTAssertEqual(first.step, 1)
        XCTAssertTrue(text.contains("stopped at step 1 of 11: continue with --resume"), text)
        XCTAssertThrowsError(try run(parts)) { error in
            XCTAssertTrue("\(error)".contains("a training checkpoint at step 1 exists; pass --resume"), "\(error)")
        }
        parts.resume = true
        let (middle, middleText) = try run(parts, stopAfter: 4)
        XCTAssertEqual(middle.step, 5)
        XCTAssertTrue(middleText.contains("resuming from"), middleText)
        XCTAssertTrue(middleText.contains("codebooks started by k-means on 2 batches at step 2"), middleText)
        let (second, _) = try run(parts)
        XCTAssertEqual(second.step, 11)

        let a = try TrainingCheckpoint.load(from: full.stageFolder.appendingPathComponent("checkpoint.safetensors"))
        let b = try TrainingCheckpoint.load(from: second.stageFolder.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(a.step, b.step)
        XCTAssertEqual(a.parameters.keys.sorted(), b.parameters.keys.sorted())
        XCTAssertTrue(a.parameters.keys.contains("rvq.levels.2.codebook"))
        for (name, value) in a.parameters { XCTAssertEqual(value, b.parameters[name], name) }
        XCTAssertEqual(a.optimizer, b.optimizer)
        XCTAssertEqual(a.ema, b.ema)
        XCTAssertEqual(a.generators, b.generators)
        let modelA = try SafetensorsFile.read(from: full.modelURL),
            modelB = try SafetensorsFile.read(from: second.modelURL)
        XCTAssertEqual(modelA.tensors, modelB.tensors)
        // The metrics log of the resumed run is the uninterrupted one's, timings aside.
        let timing: Set<String> = ["stepSeconds", "imagesPerSecond", "elapsed"]
        // Nested objects (the loss terms) printed with sorted keys: a dictionary's own order varies.
        func canonical(_ value: Any) -> String {
            guard let object = value as? [String: Any] else { return "\(value)" }
            return "{"
                + object.sorted { $0.key < $1.key }.map { "\($0.key)=\(canonical($0.value))" }.joined(separator: ",")
                + "}"
        }
        func strip(_ records: [[String: Any]]) -> [String] {
            records.map { record in canonical(record.filter { !timing.contains($0.key) }) }
        }
        XCTAssertEqual(
            strip(try lines(full.stageFolder.appendingPathComponent("metrics.jsonl"))),
            strip(try lines(second.stageFolder.appendingPathComponent("metrics.jsonl"))))
        XCTAssertEqual(
            full.evaluation,
            second.evaluation.map { report in
                var copy = report
                copy.seconds = full.evaluation!.seconds
                return copy
            })
    }

    /// With the PatchGAN term on from step 3: the discriminator trains from then on (its hinge
    /// loss and the generator term are logged from step 3, not before), it stays out of the saved
    /// model, and a run interrupted after it started resumes bit-identically, discriminator included.
    func testAdversarialTermTrainsTheDiscriminatorAndResumesExactly() throws {
        try prepare(run: "gan-whole")
        try prepare(run: "gan-parts")
        var whole = options(run: "gan-whole", steps: 8)
        var adversarial = AdversarialOptions()
        adversarial.startStep = 3
        adversarial.discriminator = PatchDiscriminatorConfig(base: 8, downsamplings: 2)
        whole.adversarial = adversarial
        let (full, _) = try run(whole)
        XCTAssertEqual(full.step, 8)
        let records = try lines(full.stageFolder.appendingPathComponent("metrics.jsonl"))
        for record in records {
            let step = record["step"] as! Int, terms = record["terms"] as! [String: Double]
            XCTAssertEqual(terms["adversarial"] != nil, step >= 3, "step \(step): \(terms)")
            XCTAssertEqual(terms["discriminator_hinge"] != nil, step >= 3, "step \(step): \(terms)")
            if let hinge = terms["discriminator_hinge"] { XCTAssertTrue(hinge >= 0 && hinge.isFinite, "\(hinge)") }
        }
        let model = try SafetensorsFile.read(from: full.modelURL)
        XCTAssertFalse(
            model.tensors.keys.contains { $0.hasPrefix("discriminator") }, "the discriminator is not part of the model")

        var parts = whole
        parts.run = "gan-parts"
        let (first, _) = try run(parts, stopAfter: 5)
        XCTAssertTrue(first.stopped)
        XCTAssertGreaterThan(first.step, 3, "interrupted after the discriminator started")
        parts.resume = true
        let (second, _) = try run(parts)
        XCTAssertEqual(second.step, 8)
        let a = try TrainingCheckpoint.load(from: full.stageFolder.appendingPathComponent("checkpoint.safetensors"))
        let b = try TrainingCheckpoint.load(from: second.stageFolder.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertTrue(a.parameters.keys.contains("discriminator.logits.weight"), "\(a.parameters.keys.sorted())")
        XCTAssertTrue(a.parameters.keys.contains { $0.hasPrefix("discriminator-optimizer.") })
        XCTAssertEqual(a.parameters.keys.sorted(), b.parameters.keys.sorted())
        for (name, value) in a.parameters { XCTAssertEqual(value, b.parameters[name], name) }
        XCTAssertEqual(a.optimizer, b.optimizer)
        func discriminatorSteps(_ checkpoint: TrainingCheckpoint) -> Int? {
            (try? JSONSerialization.jsonObject(with: Data(checkpoint.userInfo.utf8)) as? [String: Any])?[
                "discriminatorSteps"] as? Int
        }
        XCTAssertEqual(discriminatorSteps(a), 5, "steps 3…7")
        XCTAssertEqual(discriminatorSteps(b), 5)
        XCTAssertEqual(try SafetensorsFile.read(from: second.modelURL).tensors, model.tensors)
    }

    /// `--finetune-decoder`: the encoder and codebooks stay bit for bit those of the source (so do
    /// its codes and the latent cache made from them), the decoder moves, the manifest names the
    /// source with its hash, an interrupted fine-tune resumes to the same model, and a source of
    /// another size is refused with its path.
    func testDecoderFineTuneFreezesEncoderAndCodebooks() throws {
        try prepare(run: "source")
        let (source, _) = try run(options(run: "source", steps: 6))
        var tune = options(run: "tuned", steps: 5)
        tune.dataset = folder.appendingPathComponent("artifacts/source/dataset").path
        tune.decoderFineTuneSource = source.modelURL.path
        let (tuned, text) = try run(tune)
        XCTAssertTrue(text.contains("fine-tuning the decoder of \(source.modelURL.path)"), text)
        XCTAssertFalse(text.contains("k-means"), "the codebooks come from the source: \(text)")
        XCTAssertTrue(text.contains("finetune-decoder done: 5/5 step"), "progress names the stage: \(text)")

        let before = try SafetensorsFile.read(from: source.modelURL).tensors
        let after = try SafetensorsFile.read(from: tuned.modelURL).tensors
        XCTAssertEqual(before.keys.sorted(), after.keys.sorted())
        XCTAssertTrue(before.keys.contains("rvq.levels.2.codebook"))
        var decoderChanged = 0, decoderCount = 0
        for (name, tensor) in before {
            if name.hasPrefix("dec.") {
                decoderCount += 1
                if tensor != after[name] { decoderChanged += 1 }
            } else {
                XCTAssertEqual(tensor, after[name], "\(name) is frozen")
            }
        }
        XCTAssertGreaterThan(decoderChanged, decoderCount / 2, "the decoder trains")
        let images = Tensor(shape: [2, 3, 32, 32], values: (0..<(2 * 3 * 32 * 32)).map { sin(Float($0) * 0.37) })
        let original = try RVQAutoencoder.load(from: source.modelURL),
            fineTuned = try RVQAutoencoder.load(from: tuned.modelURL)
        XCTAssertEqual(original.encode(images), fineTuned.encode(images))
        XCTAssertNotEqual(original.reconstruct(images, levels: 3), fineTuned.reconstruct(images, levels: 3))
        let manifest = try TrainAEStage.Manifest.read(from: tuned.stageFolder)
        XCTAssertTrue(
            manifest.inputs.contains {
                $0.path == source.modelURL.path && $0.sha256 == (try? SHA256.hashFile(at: source.modelURL).hex)
            }, "\(manifest.inputs)")
        XCTAssertEqual(
            try RVQAutoencoder.metadata(of: tuned.modelURL)[TrainAEStage.fineTunedFromKey],
            try SHA256.hashFile(at: source.modelURL).hex)
        XCTAssertNil(try RVQAutoencoder.metadata(of: source.modelURL)[TrainAEStage.fineTunedFromKey])
        for record in try lines(tuned.stageFolder.appendingPathComponent("metrics.jsonl")) {
            XCTAssertEqual((record["terms"] as! [String: Double])["commitment"], 0, "the encoder does not learn")
        }

        var parts = tune
        parts.run = "tuned-parts"
        XCTAssertTrue(try run(parts, stopAfter: 2).0.stopped)
        parts.resume = true
        let (resumed, _) = try run(parts)
        XCTAssertEqual(resumed.step, 5)
        XCTAssertEqual(try SafetensorsFile.read(from: resumed.modelURL).tensors, after)

        // A fine-tune of the fine-tune still names the autoencoder whose encoder it kept.
        var again = tune
        again.run = "tuned-again"
        again.steps = 2
        again.decoderFineTuneSource = tuned.modelURL.path
        let (second, _) = try run(again)
        XCTAssertEqual(
            try RVQAutoencoder.metadata(of: second.modelURL)[TrainAEStage.fineTunedFromKey],
            try SHA256.hashFile(at: source.modelURL).hex)

        var missing = tune
        missing.run = "missing"
        missing.decoderFineTuneSource = folder.appendingPathComponent("nothing.safetensors").path
        XCTAssertThrowsError(try run(missing)) { error in
            XCTAssertTrue("\(error)".contains("nothing.safetensors"), "\(error)")
        }
        // A fine-tune goes to the run's decoder folder, beside the autoencoder it came from.
        var sameRun = tune
        sameRun.run = "source"
        sameRun.steps = 1
        let (beside, _) = try run(sameRun)
        XCTAssertEqual(beside.stageFolder.lastPathComponent, TrainAEStage.decoderFolderName)
        XCTAssertEqual(beside.stageFolder.deletingLastPathComponent(), source.stageFolder.deletingLastPathComponent())
        XCTAssertEqual(try SafetensorsFile.read(from: source.modelURL).tensors, before, "the source is untouched")
        // Fine-tuning a decoder into its own folder would overwrite the source while reading it.
        var ownFolder = again
        ownFolder.run = "tuned"
        ownFolder.restart = true
        let tunedBytes = try Data(contentsOf: tuned.modelURL)
        XCTAssertThrowsError(try run(ownFolder)) { error in
            XCTAssertTrue("\(error)".contains("lies in this run's stage folder"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: tuned.modelURL), tunedBytes, "the source is untouched")
        var wider = tune
        wider.run = "wider"
        wider.widthScale = 0.25
        XCTAssertThrowsError(try run(wider)) { error in
            XCTAssertTrue("\(error)".contains(source.modelURL.path), "\(error)")
            XCTAssertTrue("\(error)".contains("--width-scale"), "\(error)")
        }
    }

    /// `--generated-latents`: the discriminator also judges the decoder's pictures of a flow's
    /// latents. Their term is logged every step, it moves the decoder elsewhere than the same
    /// fine-tune without them, the file is a manifest input, an interrupted run resumes to the same
    /// model, and a file of other latents, a missing file or a fine-tune without the adversarial
    /// term are refused with the reason.
    func testGeneratedLatentsJoinTheAdversarialFineTune() throws {
        try prepare(run: "source")
        let (source, _) = try run(options(run: "source", steps: 4))
        let latentShape = try RVQAutoencoder.load(from: source.modelURL).latentShape
        let latentsURL = folder.appendingPathComponent("latents.safetensors")
        let count = 6, per = latentShape.reduce(1, *)
        var random = SeededGenerator(seed: 3)
        try SafetensorsFile(tensors: [
            "latents": SafetensorsTensor(
                floats: (0..<(count * per)).map { _ in Float.random(in: -1...1, using: &random) },
                shape: [count] + latentShape)
        ])
        .write(to: latentsURL)

        var plain = options(run: "plain", steps: 4)
        plain.dataset = folder.appendingPathComponent("artifacts/source/dataset").path
        plain.decoderFineTuneSource = source.modelURL.path
        var adversarial = AdversarialOptions()
        adversarial.startStep = 0
        adversarial.discriminator = PatchDiscriminatorConfig(base: 8, downsamplings: 2)
        plain.adversarial = adversarial
        var judged = plain
        judged.run = "judged"
        judged.generatedLatents = GeneratedLatentOptions(path: latentsURL.path, perStep: 3)
        let (withGenerated, text) = try run(judged)
        XCTAssertTrue(text.contains("pictures of 6 generated latents from \(latentsURL.path), 3 per step"), text)
        for record in try lines(withGenerated.stageFolder.appendingPathComponent("metrics.jsonl")) {
            let terms = record["terms"] as! [String: Double]
            XCTAssertNotNil(terms["adversarial_generated"], "\(terms)")
            XCTAssertNotNil(terms["discriminator_hinge"], "\(terms)")
        }
        let (without, _) = try run(plain)
        for record in try lines(without.stageFolder.appendingPathComponent("metrics.jsonl")) {
            XCTAssertNil((record["terms"] as! [String: Double])["adversarial_generated"])
        }
        let a = try SafetensorsFile.read(from: withGenerated.modelURL).tensors
        let b = try SafetensorsFile.read(from: without.modelURL).tensors
        XCTAssertTrue(
            a.contains { $0.key.hasPrefix("dec.") && $0.value != b[$0.key] },
            "the generated latents' term moves the decoder")
        let manifest = try TrainAEStage.Manifest.read(from: withGenerated.stageFolder)
        XCTAssertTrue(
            manifest.inputs.contains {
                $0.path == latentsURL.path && $0.sha256 == (try? SHA256.hashFile(at: latentsURL).hex)
            }, "\(manifest.inputs)")

        var parts = judged
        parts.run = "judged-parts"
        XCTAssertTrue(try run(parts, stopAfter: 2).0.stopped)
        parts.resume = true
        XCTAssertEqual(
            try SafetensorsFile.read(from: try run(parts).0.modelURL).tensors, a, "resumed, the same latents are drawn")

        let wrongURL = folder.appendingPathComponent("wrong.safetensors")
        try SafetensorsFile(tensors: [
            "latents": SafetensorsTensor(floats: Array(repeating: 0, count: 2 * 3 * 4 * 4), shape: [2, 3, 4, 4])
        ])
        .write(to: wrongURL)
        var wrong = judged
        wrong.run = "wrong"
        wrong.generatedLatents = GeneratedLatentOptions(path: wrongURL.path)
        XCTAssertThrowsError(try run(wrong)) { error in
            XCTAssertTrue("\(error)".contains(wrongURL.path) && "\(error)".contains("[2, 3, 4, 4]"), "\(error)")
        }
        wrong.generatedLatents = GeneratedLatentOptions(path: folder.appendingPathComponent("none.safetensors").path)
        XCTAssertThrowsError(try run(wrong)) { error in
            XCTAssertTrue("\(error)".contains("none.safetensors") && "\(error)".contains("--latents-only"), "\(error)")
        }
        var noAdversary = judged
        noAdversary.run = "no-adversary"
        noAdversary.adversarial = nil
        XCTAssertThrowsError(try run(noAdversary)) { error in
            XCTAssertTrue(
                "\(error)".contains("--generated-latents") && "\(error)".contains("--adversarial-weight"), "\(error)")
        }
    }

    func testResumeWithOtherTrainingOptionsIsRefused() throws {
        try prepare(run: "c")
        let (first, _) = try run(options(run: "c", steps: 2))
        XCTAssertEqual(first.step, 2)
        var changed = options(run: "c", steps: 4)
        changed.learningRate = 1e-2
        changed.resume = true
        XCTAssertThrowsError(try run(changed)) { error in
            XCTAssertTrue("\(error)".contains("learningRate: checkpoint 0.003, now 0.01"), "\(error)")
        }
        // More steps with the same options: allowed (the schedule's horizon grows).
        var longer = options(run: "c", steps: 4)
        longer.resume = true
        XCTAssertEqual(try run(longer).0.step, 4)
        // --restart starts over.
        var restart = options(run: "c", steps: 1)
        restart.restart = true
        XCTAssertEqual(try run(restart).0.step, 1)
    }

    func testMinutesAloneEndsOnTime() throws {
        try prepare(run: "m")
        var o = options(run: "m", steps: 1)
        o.steps = nil
        o.minutes = 0.02
        let start = Date()
        let (result, text) = try run(o)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertGreaterThan(result.step, 5)
        XCTAssertTrue(text.contains("planned "), text)
        XCTAssertEqual(try TrainAEStage.Manifest.read(from: result.stageFolder).config.options.steps, result.horizon)
    }

    func testMissingDatasetAndBadOptionsAreClearErrors() throws {
        var o = options(run: "none", steps: 2)
        XCTAssertThrowsError(try run(o)) { error in
            XCTAssertTrue("\(error)".contains("artifacts/none/dataset/images.h5"), "\(error)")
            XCTAssertTrue("\(error)".contains("pipeline prepare"), "\(error)")
        }
        o.trainSubsets = [.train, .validation]
        XCTAssertThrowsError(try run(o)) { error in
            XCTAssertTrue("\(error)".contains("must not be trained on"), "\(error)")
        }
        o = options(run: "none", steps: 2)
        o.steps = nil
        XCTAssertThrowsError(try run(o)) { error in XCTAssertTrue("\(error)".contains("--steps"), "\(error)") }
    }

    private func lines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}
