import FileFormats
import Foundation
import LatentFlow
import TensorCore
import XCTest

/// `mpirun -np 2 pipeline distill-flow` against one process: the teacher pairs the two ranks
/// sample together are bit for bit one process's, the student after three steps is one process's
/// up to float summation order, and a time budget ends both ranks after the same step.
final class DistillFlowUnderMPITests: XCTestCase {
    /// The distillation's learning rate here; the tolerances follow from it as in
    /// ThreadedEquivalenceTests: a tenth of it for the weights and EMA, lr·steps for the
    /// attention key biases (their exact gradient is zero; see WeightDifference).
    static let learningRate = 1e-3
    static let steps = 3
    static let tolerance: Float = 1e-4
    static let keyBiasTolerance: Float = Float(learningRate) * Float(steps)

    private var folder: URL!
    private var teacher: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("distill-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
        // An untrained tiny flow is teacher enough: what is compared is how the student trains.
        teacher = folder.appendingPathComponent("teacher.safetensors")
        try makeTinyFlowTrainer(batch: 4).exportModel().save(to: teacher)
    }

    /// `pipeline distill-flow` of the tiny teacher into `output`, alone or on `ranks` ranks.
    private func distill(_ output: String, ranks: Int?, method: String, extra: [String] = []) throws -> String {
        let arguments =
            [
                "distill-flow", "--teacher", teacher.path, "--artifacts",
                folder.appendingPathComponent("artifacts").path,
                "--run", "t", "--output", folder.appendingPathComponent(output).path, "--method", method,
                // 4 sampler batches of 5 pairs, the last one partial: each rank samples two.
                "--pairs", "18", "--teacher-batch", "5", "--teacher-sampler", "heun", "--teacher-steps", "2",
                "--guidance", "2", "--batch-size", "6", "--maximum-steps", "4", "--lr", String(Self.learningRate),
                "--warmup-steps", "1", "--threads", "1",
            ] + (extra.isEmpty ? ["--steps", String(Self.steps)] : extra)
        let pipeline = MPILaunch.builtProgram("pipeline")
        let run =
            try ranks.map { try MPILaunch.runRanks($0, pipeline, arguments) } ?? MPILaunch.launch(pipeline, arguments)
        XCTAssertEqual(run.status, 0, run.output)
        return run.output
    }

    private func file(_ output: String, _ name: String) -> URL {
        folder.appendingPathComponent(output).appendingPathComponent(name)
    }

    private func assertTwoRanksDistilAsOneProcess(method: String) throws {
        _ = try MPILaunch.mpirun()
        let alone = try distill("alone-\(method)", ranks: nil, method: method)
        let pair = try distill("pair-\(method)", ranks: 2, method: method)
        XCTAssertTrue(pair.contains("data parallel: 2 ranks share each batch of 6"), pair)
        XCTAssertTrue(pair.contains("2 ranks; this one samples 10"), pair)
        XCTAssertEqual(pair.components(separatedBy: "model: ").count - 1, 1, "rank 0 alone reports:\n\(pair)")
        XCTAssertFalse(alone.contains("data parallel"), alone)

        // The pairs: bit for bit (the same sampler batches, split between the ranks).
        let (pairsAlone, _) = try ReflowPairFile.read(
            from: file("alone-\(method)", ReflowPairFile.fileName), classCount: 3)
        let (pairsTwo, _) = try ReflowPairFile.read(
            from: file("pair-\(method)", ReflowPairFile.fileName), classCount: 3)
        XCTAssertEqual(pairsAlone.noise.values, pairsTwo.noise.values)
        XCTAssertEqual(pairsAlone.endpoints.values, pairsTwo.endpoints.values)
        XCTAssertEqual(pairsAlone.classes, pairsTwo.classes)

        let difference = WeightDifference(
            try MPILaunch.checkpointWeights(file("alone-\(method)", "checkpoint.safetensors")),
            try MPILaunch.checkpointWeights(file("pair-\(method)", "checkpoint.safetensors")),
            threshold: Self.tolerance)
        // Nearly every weight within a tenth of the learning rate; the rare one whose gradient is
        // at rounding level may take AdamW's full step in either direction (seen: one weight of
        // the reflow student, and its EMA, 1.4e-4 apart with one thread per process), but never
        // more than the steps can move it.
        XCTAssertLessThanOrEqual(
            difference.weightsAboveThreshold * 1000, difference.weightCount,
            "\(method): \(difference.weightsAboveThreshold) of \(difference.weightCount) weights differ by more than \(Self.tolerance)"
        )
        XCTAssertLessThan(difference.weights, 2 * Self.keyBiasTolerance, method)
        XCTAssertLessThan(difference.keyBiases, Self.keyBiasTolerance, method)
        let manifest = try String(contentsOf: file("pair-\(method)", "manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"ranks\" : 2"), manifest)
    }

    func testTwoRanksDistilTheShortcutStudentAsOneProcess() throws {
        try assertTwoRanksDistilAsOneProcess(method: "shortcut")
    }

    func testTwoRanksDistilTheReflowStudentAsOneProcess() throws {
        try assertTwoRanksDistilAsOneProcess(method: "reflow")
    }

    /// `--minutes` is rank 0's clock: a budget spent by the first step ends both ranks after it
    /// (a rank going on alone would hang in its next allreduce), and rank 0 alone writes. The
    /// pairs are sampled in the first run and broadcast from the cache in the second.
    func testATimeBudgetEndsBothRanksAfterTheSameStep() throws {
        _ = try MPILaunch.mpirun()
        let first = try distill("timed", ranks: 2, method: "shortcut", extra: ["--minutes", "0.00001"])
        XCTAssertTrue(first.contains("(step 1, time budget reached)"), first)
        let again = try distill(
            "timed", ranks: 2, method: "shortcut", extra: ["--minutes", "0.00001", "--restart"])
        XCTAssertTrue(again.contains("reusing the 18 pairs"), again)
        XCTAssertTrue(again.contains("(step 1, time budget reached)"), again)
        XCTAssertEqual(again.components(separatedBy: "model: ").count - 1, 1, again)
        XCTAssertEqual(try TrainingCheckpoint.load(from: file("timed", "checkpoint.safetensors")).step, 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("timed").path)
        XCTAssertEqual(
            Set(files.filter { !$0.hasPrefix(".") }),
            [
                "checkpoint.safetensors", "model.safetensors", "metrics.jsonl", "manifest.json", "events",
                ReflowPairFile.fileName,
            ],
            "\(files)")
    }
}
