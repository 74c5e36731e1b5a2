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
        XCTAssertTrue(
            report.contains("--autoencoder artifacts/oxford/decoder/model.safetensors"),
            "compare decodes alike: \(report)")
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
        XCTAssertTrue(
            defaults.contains("--guidance 3") && defaults.contains("--guidance-interval 0.2,1"),
            "the default preset samples with guidance 3 from t = 0.2, and so would the latents the decoder learns from: \(defaults)"
        )
        study.stages[.flowLatents]?["enabled"] = .flag(true)
        study.stages[.generate]?["guidance"] = .value("1.5")
        XCTAssertTrue(study.isEnabled(.flowLatents))
        let latents = study.arguments(for: .flowLatents).joined(separator: " ")
        for expected in [
            "--latents-only", "--classes all", "--count 2040", "--seed 1", "--guidance 1.5",
            "--output artifacts/oxford/flow-latents",
        ] {
            XCTAssertTrue(latents.contains(expected), "\(expected) in \(latents)")
        }
        let tune = study.arguments(for: .finetuneDecoder).joined(separator: " ")
        XCTAssertTrue(tune.contains("--generated-latents artifacts/oxford/flow-latents/latents.safetensors"), tune)
        XCTAssertTrue(
            RunStage.allCases.firstIndex(of: .finetuneDecoder)! > RunStage.allCases.firstIndex(of: .flowLatents)!)
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
        let a = stageArguments(study), b = stageArguments(otherSampler), c = stageArguments(otherCount)
        for stage in [RunStage.flowLatents, .generate] { XCTAssertNotEqual(a[stage], b[stage], stage.rawValue) }
        XCTAssertTrue(RunStage.finetuneDecoder.dependsOn(.flowLatents), "redone when the latents it judges change")
        for stage in [RunStage.flowLatents, .finetuneDecoder] { XCTAssertEqual(a[stage], c[stage], stage.rawValue) }
        XCTAssertNotEqual(a[.generate], c[.generate])
    }

    /// The fine-tune copies the autoencoder, so it takes train-ae's shape and data settings; its
    /// budget and learning rate stay its own.
    func testTheFineTuneSharesTheAutoencodersShapeNotItsBudget() throws {
        let config = try RunConfig.parse(
            """
            preset: quick
            stages:
              train-ae: { minutes: 9, width-scale: 0.25, levels: 2, lr: 0.003, train-subsets: [train] }
              finetune-decoder: { enabled: true, steps: 30 }
            """, source: "tune.yaml")
        let tune = config.arguments(for: .finetuneDecoder).joined(separator: " ")
        for expected in [
            "--width-scale 0.25", "--levels 2", "--train-subsets train", "--steps 30", "--lr 0.0001", "--minutes 2",
        ] {
            XCTAssertTrue(tune.contains(expected), "\(expected) in \(tune)")
        }
        XCTAssertFalse(tune.contains("--minutes 9") || tune.contains("0.003"), tune)
    }

    /// Enabling the stage or changing its settings changes the settings of the stage alone (and
    /// of generate, which decodes with it when it is on); generate and evaluate read its outputs,
    /// so they are redone when those change. While it is off its settings reach nothing, and
    /// being off does not make generate stale.
    func testItsSettingsReachOnlyTheStagesThatReadTheDecoder() throws {
        let on = RunConfig(preset: .default)
        var longer = on
        longer.stages[.finetuneDecoder]?["minutes"] = .value("41")
        var off = on
        off.stages[.finetuneDecoder]?["enabled"] = .flag(false)
        var offLonger = off
        offLonger.stages[.finetuneDecoder]?["minutes"] = .value("41")
        let a = stageArguments(on), b = stageArguments(longer)
        let c = stageArguments(off), d = stageArguments(offLonger)
        for stage in RunStage.allCases where stage != .finetuneDecoder {
            XCTAssertEqual(a[stage], b[stage], stage.rawValue)
            XCTAssertEqual(c[stage], d[stage], "the settings of a stage that is off do not reach \(stage.rawValue)")
        }
        XCTAssertNotEqual(a[.finetuneDecoder], b[.finetuneDecoder])
        XCTAssertNotEqual(a[.generate], c[.generate], "switching the decoder changes what generate decodes with")
        for stage in [RunStage.generate, .evaluate] { XCTAssertTrue(stage.dependsOn(.finetuneDecoder), stage.rawValue) }
        for stage in [RunStage.prepare, .trainAE, .encode, .trainFlow] {
            XCTAssertFalse(stage.dependsOn(.finetuneDecoder))
        }

        // generate, completed while the decoder was off: done while it stays off, not done
        // while an enabled decoder is not.
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("run-decoder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let samples = run.appendingPathComponent(RunStage.generate.folder)
        try FileManager.default.createDirectory(at: samples, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: samples.appendingPathComponent("manifest.json"))
        let settings = StageSettings(values: ["count": "100"])
        let upstreamOutputs = StageFolderDigest(files: ["model.safetensors": .init(bytes: 1, sha256: "ab")])
        var ledger = RunLedger()
        for stage in [RunStage.trainAE, .trainFlow] {
            ledger[stage] = RunLedger.Entry(
                record: StageRecord(
                    key: "k", settings: settings, codeVersion: stage.codeVersion,
                    consumed: [:], outputs: upstreamOutputs))
        }
        let consumed = ["train-ae": upstreamOutputs.combined, "train-flow": upstreamOutputs.combined]
        ledger[.generate] = RunLedger.Entry(
            record: StageRecord(
                key: StageKey.of(.generate, settings: settings, consumed: consumed), settings: settings,
                codeVersion: RunStage.generate.codeVersion, consumed: consumed,
                outputs: try StageFolderDigest.measure(samples)))
        func state(decoder: RunStageState, in config: RunConfig) -> RunStageState {
            let done = StageAssessment(
                stage: .trainAE, state: .done, settings: settings, consumed: [:], key: "k",
                resumable: false, holdsTraining: true)
            var upstream: [RunStage: StageAssessment] = [.trainAE: done, .trainFlow: done]
            upstream[.finetuneDecoder] = StageAssessment(
                stage: .finetuneDecoder, state: decoder, settings: settings,
                consumed: nil, key: nil, resumable: false, holdsTraining: false)
            return StageAssessment.judge(
                .generate, config: config, runFolder: run, ledger: ledger, settings: settings,
                upstream: upstream, cache: DigestCache()
            ).state
        }
        XCTAssertEqual(state(decoder: .notEnabled, in: off), .done)
        XCTAssertEqual(state(decoder: .missing, in: on), .stale("upstream finetune-decoder is not done"))
    }
}
