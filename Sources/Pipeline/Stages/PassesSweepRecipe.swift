import Datasets
import FileFormats
import Foundation
import LatentFlow

/// What a sweep point was made with: the model (by SHA-256), the sampler, the guidance and its
/// interval, the samples' count, classes and seed, and the real images they were scored against
/// (subsets and SHA-256). A point whose recipe is the one the sweep asks for now is the same
/// measurement and is kept; any difference makes its numbers another measurement's.
///
/// Nothing new is written for it: a point's files already say all of it — the samples'
/// `samples.json` (with the model's SHA-256 since it records one; before, the samples' manifest
/// did), the samples' `manifest.json` (the classes as asked) and the evaluation's `manifest.json`
/// (the real images' subsets and SHA-256).
struct PassesSweepRecipe {
    var modelSHA256: String
    /// Few-step models: Euler with the step count, as `generate` records their own sampler.
    var sampler: SamplerSettings
    var guidance: Float
    var guidanceInterval: ClosedRange<Float>
    var count: Int
    var classes: [String]
    var seed: UInt64
    /// The subsets of a real dataset cache, sorted and joined by "+" as the evaluation records them.
    var realSubsets: String
    var realSHA256: String

    /// The recipe recorded in the point folder `point` (samples in `samples/`); errors name the
    /// file that is missing or unreadable.
    init(recordedIn point: URL) throws {
        let samples = point.appendingPathComponent(PassesSweep.samplesFolder)
        let sidecar = try JSONFile.read(
            GenerateStage.Sidecar.self, from: samples.appendingPathComponent(GenerateStage.sidecarFile))
        let generate = try StageManifest<GenerateStage.Options>.read(from: samples)
        let evaluation = try JSONFile.read(
            EvaluateManifest.self, from: point.appendingPathComponent(EvaluateStage.manifestFile))
        let recordedModel =
            sidecar.modelSHA256 ?? generate.inputs.first(where: { $0.role == "flow model" })?.sha256
        guard let model = recordedModel else {
            throw FileFormatError(
                .malformed, path: samples.appendingPathComponent(StageFiles.manifest).path,
                "no 'flow model' input: which model made these samples is unknown")
        }
        guard let real = evaluation.inputs["real"] else {
            throw FileFormatError(
                .malformed, path: point.appendingPathComponent(EvaluateStage.manifestFile).path,
                "no 'real' input: which images these samples were scored against is unknown")
        }
        self.init(
            modelSHA256: model, sampler: sidecar.sampler, guidance: sidecar.guidance,
            guidanceInterval: sidecar.guidanceInterval ?? 0...1, count: sidecar.count,
            classes: generate.config.classes, seed: sidecar.seed,
            realSubsets: evaluation.config["realSubsets"] ?? "", realSHA256: real.sha256)
    }

    init(
        modelSHA256: String, sampler: SamplerSettings, guidance: Float, guidanceInterval: ClosedRange<Float>,
        count: Int, classes: [String], seed: UInt64, realSubsets: String, realSHA256: String
    ) {
        self.modelSHA256 = modelSHA256
        self.sampler = sampler
        self.guidance = guidance
        self.guidanceInterval = guidanceInterval
        self.count = count
        self.classes = classes
        self.seed = seed
        self.realSubsets = realSubsets
        self.realSHA256 = realSHA256
    }

    /// The subsets as the evaluation's manifest records them.
    static func subsetsText(_ subsets: Set<DatasetSubset>) -> String {
        subsets.map(\.description).sorted().joined(separator: "+")
    }

    /// What differs from `recorded`, each as "what now, what before" (e.g. "guidance 3 now, 1
    /// before"); empty when the recipes agree.
    func differences(from recorded: PassesSweepRecipe) -> [String] {
        var lines: [String] = []
        func compare(_ name: String, _ now: String, _ before: String) {
            if now != before { lines.append("\(name) \(now) now, \(before) before") }
        }
        func short(_ hash: String) -> String { String(hash.prefix(12)) }
        func interval(_ range: ClosedRange<Float>) -> String {
            "\(Self.plain(range.lowerBound))…\(Self.plain(range.upperBound))"
        }
        if modelSHA256 != recorded.modelSHA256 {
            lines.append("the model's SHA-256 \(short(modelSHA256))… now, \(short(recorded.modelSHA256))… before")
        }
        compare("sampler", Self.describe(sampler), Self.describe(recorded.sampler))
        compare("guidance", Self.plain(guidance), Self.plain(recorded.guidance))
        compare("guidance interval", interval(guidanceInterval), interval(recorded.guidanceInterval))
        compare("count", "\(count)", "\(recorded.count)")
        compare("classes", classes.joined(separator: ","), recorded.classes.joined(separator: ","))
        compare("seed", "\(seed)", "\(recorded.seed)")
        compare("real subsets", realSubsets, recorded.realSubsets)
        if realSHA256 != recorded.realSHA256 {
            lines.append("the real images' SHA-256 \(short(realSHA256))… now, \(short(recorded.realSHA256))… before")
        }
        return lines
    }

    /// "heun 20 steps, shift 2", "dopri5 rtol 0.001 atol 0.001, at most 1000 steps": the fields
    /// the method uses, so that two samplers differ exactly when their samples can (a fixed-step
    /// solver ignores the tolerances).
    static func describe(_ sampler: SamplerSettings) -> String {
        var text = sampler.method.rawValue
        text +=
            sampler.method == .dopri5
            ? " rtol \(sampler.relativeTolerance) atol \(sampler.absoluteTolerance), at most \(sampler.maximumSteps) steps"
            : " \(sampler.steps) steps"
        if sampler.shift != 1 { text += ", shift \(plain(sampler.shift))" }
        return text
    }

    /// A value as Swift spells it exactly ("0.2", "1e-05"), without a trailing ".0": two values
    /// that differ never read alike.
    static func plain(_ value: Float) -> String {
        let text = "\(value)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
