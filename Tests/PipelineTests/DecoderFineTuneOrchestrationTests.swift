import Foundation
import Pipeline
import XCTest

/// `pipeline run` and its optional `finetune-decoder` stage: a sharper decoder for train-ae's
/// autoencoder, which generate then decodes with.
final class DecoderFineTuneOrchestrationTests: XCTestCase {
    func testOffInQuickOnInTheStudyPresetsAndGenerateDecodesWithIt() throws {
        let quick = RunConfig(preset: .quick)
        XCTAssertFalse(quick.isEnabled(.finetuneDecoder))
        XCTAssertFalse(quick.arguments(for: .generate).contains("--autoencoder"), "\(quick.arguments(for: .generate))")

        let study = RunConfig(preset: .default, run: "oxford")
        XCTAssertTrue(study.isEnabled(.finetuneDecoder))
        let tune = study.arguments(for: .finetuneDecoder).joined(separator: " ")
        XCTAssertTrue(tune.contains("--finetune-decoder artifacts/oxford/autoencoder/model.safetensors"), tune)
        XCTAssertTrue(tune.contains("--adversarial-weight 0.02") && tune.contains("--minutes 80"), tune)
        XCTAssertFalse(tune.contains("enabled"), tune)
        let generate = study.arguments(for: .generate).joined(separator: " ")
        XCTAssertTrue(generate.contains("--autoencoder artifacts/oxford/decoder/model.safetensors"), generate)
        var compare = study
        compare.stages[.compare] = ["enabled": .flag(true)]
        let report = compare.arguments(for: .compare).joined(separator: " ")
        XCTAssertTrue(report.contains("--autoencoder artifacts/oxford/decoder/model.safetensors"), "compare decodes alike: \(report)")
        XCTAssertEqual(RunStage.finetuneDecoder.folder, TrainAEStage.decoderFolderName)
        XCTAssertTrue(RunStage.finetuneDecoder.resumable)
    }

    /// `flow-latents` samples latents from the flow with generate's sampler and guidance (every
    /// class in turn, its own count and seed) for the fine-tune's discriminator; it runs only with
    /// the fine-tune, and a change of generate's sampler redoes both, a change of its count neither.
    func testTheFineTuneJudgesLatentsSampledAsGenerateSamples() throws {
        var study = RunConfig(preset: .default, run: "oxford")
        XCTAssertFalse(study.isEnabled(.flowLatents), "off in every preset")
        let defaults = study.arguments(for: .flowLatents).joined(separator: " ")
        XCTAssertTrue(defaults.contains("--guidance 3") && defaults.contains("--guidance-interval 0.2,1"),
                      "the default preset samples with guidance 3 from t = 0.2, and so would the latents the decoder learns from: \(defaults)")
        study.stages[.flowLatents]?["enabled"] = .flag(true)
        study.stages[.generate]?["guidance"] = .value("1.5")
        XCTAssertTrue(study.isEnabled(.flowLatents))
        let latents = study.arguments(for: .flowLatents).joined(separator: " ")
        for expected in ["--latents-only", "--classes all", "--count 2040", "--seed 1", "--guidance 1.5",
                         "--output artifacts/oxford/flow-latents"] {
            XCTAssertTrue(latents.contains(expected), "\(expected) in \(latents)")
        }
        let tune = study.arguments(for: .finetuneDecoder).joined(separator: " ")
        XCTAssertTrue(tune.contains("--generated-latents artifacts/oxford/flow-latents/latents.safetensors"), tune)
        XCTAssertTrue(RunStage.allCases.firstIndex(of: .finetuneDecoder)! > RunStage.allCases.firstIndex(of: .flowLatents)!)
        XCTAssertTrue(RunStage.allCases.firstIndex(of: .flowLatents)! > RunStage.allCases.firstIndex(of: .trainFlow)!)

        var withoutLatents = study
        withoutLatents.stages[.flowLatents]?["enabled"] = .flag(false)
        XCTAssertFalse(withoutLatents.arguments(for: .finetuneDecoder).contains("--generated-latents"))
        var withoutFineTune = study
        withoutFineTune.stages[.finetuneDecoder]?["enabled"] = .flag(false)
        XCTAssertFalse(withoutFineTune.isEnabled(.flowLatents), "latents for no fine-tune are not made")
        XCTAssertFalse(RunConfig(preset: .quick).isEnabled(.flowLatents))

        var otherSampler = study
        otherSampler.stages[.generate]?["guidance"] = .value("2")
        var otherCount = study
        otherCount.stages[.generate]?["count"] = .value("50")
        let a = RunLedger.fingerprints(study), b = RunLedger.fingerprints(otherSampler), c = RunLedger.fingerprints(otherCount)
        for stage in [RunStage.flowLatents, .finetuneDecoder, .generate] { XCTAssertNotEqual(a[stage], b[stage], stage.rawValue) }
        for stage in [RunStage.flowLatents, .finetuneDecoder] { XCTAssertEqual(a[stage], c[stage], stage.rawValue) }
        XCTAssertNotEqual(a[.generate], c[.generate])
    }

    /// The fine-tune copies the autoencoder, so it takes train-ae's shape and data settings; its
    /// budget and learning rate stay its own.
    func testTheFineTuneSharesTheAutoencodersShapeNotItsBudget() throws {
        let config = try RunConfig.parse("""
            preset: quick
            stages:
              train-ae: { minutes: 9, width-scale: 0.25, levels: 2, lr: 0.003, train-subsets: [train] }
              finetune-decoder: { enabled: true, steps: 30 }
            """, source: "tune.yaml")
        let tune = config.arguments(for: .finetuneDecoder).joined(separator: " ")
        for expected in ["--width-scale 0.25", "--levels 2", "--train-subsets train", "--steps 30", "--lr 1e-4", "--minutes 2"] {
            XCTAssertTrue(tune.contains(expected), "\(expected) in \(tune)")
        }
        XCTAssertFalse(tune.contains("--minutes 9") || tune.contains("0.003"), tune)
    }

    /// Enabling the stage or changing its settings redoes generate and evaluate, nothing above;
    /// while it is off its settings change nothing, and being off does not make generate stale.
    func testItsSettingsReachOnlyTheStagesThatReadTheDecoder() throws {
        let on = RunConfig(preset: .default)
        var longer = on
        longer.stages[.finetuneDecoder]?["minutes"] = .value("41")
        var off = on
        off.stages[.finetuneDecoder]?["enabled"] = .flag(false)
        var offLonger = off
        offLonger.stages[.finetuneDecoder]?["minutes"] = .value("41")
        let a = RunLedger.fingerprints(on), b = RunLedger.fingerprints(longer)
        let c = RunLedger.fingerprints(off), d = RunLedger.fingerprints(offLonger)
        for stage in [RunStage.prepare, .trainAE, .encode, .trainFlow] {
            XCTAssertEqual(a[stage], b[stage], stage.rawValue)
            XCTAssertEqual(a[stage], c[stage], stage.rawValue)
        }
        for stage in [RunStage.finetuneDecoder, .generate, .evaluate] { XCTAssertNotEqual(a[stage], b[stage], stage.rawValue) }
        for stage in [RunStage.generate, .evaluate] {
            XCTAssertNotEqual(a[stage], c[stage], "switching the decoder redoes \(stage.rawValue)")
            XCTAssertEqual(c[stage], d[stage], "the settings of a stage that is off do not reach \(stage.rawValue)")
        }

        let run = FileManager.default.temporaryDirectory.appendingPathComponent("run-decoder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let samples = run.appendingPathComponent(RunStage.generate.folder)
        try FileManager.default.createDirectory(at: samples, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: samples.appendingPathComponent("manifest.json"))
        var ledger = RunLedger()
        ledger.stages["generate"] = RunLedger.Entry(started: c[.generate], completed: c[.generate])
        func state(decoder: RunStageState) -> RunStageState {
            RunStageState.of(.generate, runFolder: run, ledger: ledger, fingerprint: c[.generate]!,
                             upstreamStates: [.trainAE: .done, .trainFlow: .done, .finetuneDecoder: decoder])
        }
        XCTAssertEqual(state(decoder: .notEnabled), .done)
        XCTAssertEqual(state(decoder: .missing), .stale("upstream finetune-decoder is not done"))
    }
}
