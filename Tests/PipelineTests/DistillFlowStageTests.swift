import FileFormats
import Foundation
import LatentFlow
import Pipeline
import TensorCore
import XCTest

/// `distill-flow` on the shared tiny run: pairs cached and reused, a model `generate` samples in
/// the step counts it was trained for and no others.
final class DistillFlowStageTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!
    static var teacher: URL?

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("distill-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func teacher() throws -> URL {
        if let teacher = Self.teacher { return teacher }
        let result = try TrainFlowStage.run(
            fixture.trainOptions(output: fixture.root.appendingPathComponent("distill-teacher"), steps: 4),
            write: { _ in })
        Self.teacher = result.model
        return result.model
    }

    func options(_ method: FewStepMethod = .shortcut, output: URL) throws -> DistillFlowStage.Options {
        var options = DistillFlowStage.Options()
        options.run = fixture.run
        options.artifacts = fixture.artifacts
        options.teacher = try teacher().path
        options.output = output.path
        options.pairs = 16
        options.batchSize = 8
        options.teacherSampler = SamplerSettings(method: .heun, steps: 2)
        options.guidance = 2
        options.guidanceInterval = 0.2...1
        options.steps = 3
        options.training.method = method
        options.training.maximumSteps = 4
        options.training.warmupSteps = 1
        return options
    }

    func testPairsAreCachedInHDF5AndReusedWhileTeacherAndSettingsMatch() throws {
        let output = scratch.appendingPathComponent("fewstep")
        var lines = ""
        let first = try DistillFlowStage.run(try options(output: output), write: { lines += $0 })
        XCTAssertFalse(first.reusedPairs, lines)
        let pairsURL = output.appendingPathComponent(ReflowPairFile.fileName)
        let (pairs, provenance) = try ReflowPairFile.read(from: pairsURL, classCount: 3)
        XCTAssertEqual(pairs.count, 16)
        XCTAssertEqual(provenance.guidance, 2)
        XCTAssertEqual(provenance.teacherSHA256, try SHA256.hashFile(at: try teacher()).hex)
        let bytes = try Data(contentsOf: pairsURL)

        // Retrained from scratch with another learning rate: the same pairs, not sampled again.
        var again = try options(output: output)
        again.restart = true
        again.training.learningRate = 5e-4
        lines = ""
        let second = try DistillFlowStage.run(again, write: { lines += $0 })
        XCTAssertTrue(second.reusedPairs, lines)
        XCTAssertTrue(lines.contains("reusing the 16 pairs"), lines)
        XCTAssertEqual(try Data(contentsOf: pairsURL), bytes)

        // Another guidance is another field: sampled afresh.
        var guided = again
        guided.guidance = 1
        lines = ""
        XCTAssertFalse(try DistillFlowStage.run(guided, write: { lines += $0 }).reusedPairs, lines)
        XCTAssertEqual(try ReflowPairFile.provenance(at: pairsURL)?.guidance, 1)

        // Another time grid is another sampler: the pairs are sampled afresh, and say so.
        var shifted = guided
        shifted.teacherSampler.shift = 3
        lines = ""
        XCTAssertFalse(try DistillFlowStage.run(shifted, write: { lines += $0 }).reusedPairs, lines)
        XCTAssertEqual(try ReflowPairFile.provenance(at: pairsURL)?.sampler.shift, 3)
    }

    /// In `pipeline run` the teacher samples the pairs with all of generate's sampler settings, so
    /// the student learns the endpoints generate's sampler reaches; options set for distill-flow win.
    func testRunGivesTheTeacherAllOfGeneratesSamplerSettings() {
        var config = RunConfig(preset: .quick, run: "r")
        config.stages[.distillFlow]?["enabled"] = .flag(true)
        config.stages[.generate]?["sampler"] = .value("dopri5")
        config.stages[.generate]?["shift"] = .value("2")
        config.stages[.generate]?["rtol"] = .value("0.0001")
        config.stages[.generate]?["atol"] = .value("0.0002")
        config.stages[.distillFlow]?["teacher-atol"] = .value("0.0005")
        let arguments = config.arguments(for: .distillFlow).joined(separator: " ")
        for expected in [
            "--teacher-sampler dopri5", "--teacher-shift 2", "--teacher-rtol 0.0001", "--teacher-atol 0.0005",
        ] {
            XCTAssertTrue(arguments.contains(expected), "\(expected) in \(arguments)")
        }
    }

    func testGenerateSamplesAFewStepModelInItsStepCountsOnly() throws {
        for method in FewStepMethod.allCases {
            let result = try DistillFlowStage.run(
                try options(method, output: scratch.appendingPathComponent(method.rawValue)),
                write: { _ in })
            var generate = GenerateStage.Options()
            generate.run = fixture.run
            generate.artifacts = fixture.artifacts
            generate.model = result.model.path
            generate.count = 6
            generate.sampler = SamplerSettings(method: .heun, steps: 2)
            generate.output = scratch.appendingPathComponent("\(method.rawValue)-samples").path
            let samples = try GenerateStage.run(generate, write: { _ in })
            XCTAssertEqual(samples.sidecar.networkPasses, 2, "one pass per step, the guidance distilled")
            XCTAssertEqual(samples.sidecar.fewStep, method)
            XCTAssertEqual(samples.sidecar.guidance, 2)

            generate.sampler.steps = method == .shortcut ? 3 : 5
            XCTAssertThrowsError(try GenerateStage.run(generate, write: { _ in })) { error in
                XCTAssertTrue("\(error)".contains(result.model.path), "\(error)")
                XCTAssertTrue(
                    "\(error)".contains(
                        "samples in \(method == .shortcut ? "1, 2, 4" : "1…4") steps, not \(generate.sampler.steps)"),
                    "\(error)")
            }
            generate.sampler.steps = 1
            generate.guidance = 5
            XCTAssertThrowsError(try GenerateStage.run(generate, write: { _ in })) { error in
                XCTAssertTrue("\(error)".contains("distilled with guidance 2.0"), "\(error)")
            }
            try checkTheODEOptionsAreRefused(generate, model: result.model)
        }
    }

    /// What a few-step model would ignore is refused, naming the file: a solver named (Heun too,
    /// though it is the default), any other solver, a shifted grid, and a guidance named, even 1.
    func checkTheODEOptionsAreRefused(_ base: GenerateStage.Options, model: URL) throws {
        var generate = base
        generate.guidance = 1
        generate.sampler = SamplerSettings(method: .heun, steps: 2)
        func refused(_ options: GenerateStage.Options, saying expected: String) {
            XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) { error in
                XCTAssertTrue("\(error)".contains(model.path), "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
        var named = generate
        named.namedOptions = [.sampler]
        refused(named, saying: "takes its own sampler (one network pass per step), not --sampler heun")
        for method in [ODEMethod.midpoint, .rk4] {
            var other = generate
            other.sampler.method = method
            refused(other, saying: "not --sampler \(method.rawValue)")
        }
        var shifted = generate
        shifted.sampler.shift = 2
        refused(shifted, saying: "not a grid shifted by --shift 2.0")
        var unguided = generate
        unguided.namedOptions = [.guidance]
        refused(unguided, saying: "distilled with guidance 2.0")

        // Named as the model has them, Euler and the distilled guidance are what it does anyway.
        var same = generate
        same.sampler.method = .euler
        same.guidance = 2
        same.namedOptions = [.sampler, .guidance]
        XCTAssertEqual(try GenerateStage.run(same, write: { _ in }).sidecar.guidance, 2)
    }

    func testExistingCheckpointNeedsResumeOrRestart() throws {
        let output = scratch.appendingPathComponent("fewstep")
        var options = try options(output: output)
        options.checkpointEvery = 1
        try DistillFlowStage.run(options, write: { _ in })
        XCTAssertThrowsError(try DistillFlowStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        options.resume = true
        options.steps = 5
        var lines = ""
        let resumed = try DistillFlowStage.run(options, write: { lines += $0 })
        XCTAssertEqual(resumed.steps, 5)
        XCTAssertTrue(lines.contains("resumed from") && lines.contains("reusing the 16 pairs"), lines)
    }
}
