import Foundation
import TensorCore
import XCTest

/// `mpirun -np 2 pipeline train-ae` against one process: the autoencoder, then the decoder
/// fine-tune from it, end with one process's weights, EMA averages and codebooks up to float
/// summation order; `--evaluate-only` under the launcher evaluates once, on rank 0.
final class TrainAEUnderMPITests: XCTestCase {
    /// As AutoencoderEquivalenceTests: a tenth of the learning rate (1e-3) for every weight, EMA
    /// average and codebook entry; the attention key biases within lr·steps (see WeightDifference).
    static let tolerance: Float = 1e-4
    static let steps = 3
    static let keyBiasTolerance: Float = 1e-3 * Float(steps)

    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-ae-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
    }

    /// `pipeline arguments` in the test's folder, alone or on `ranks` ranks; its output.
    @discardableResult
    private func pipeline(_ arguments: [String], ranks: Int? = nil) throws -> String {
        let program = MPILaunch.builtProgram("pipeline")
        let all = arguments + ["--threads", "1"]
        let run =
            try ranks.map { try MPILaunch.runRanks($0, program, all, in: folder) }
            ?? MPILaunch.launch(program, all, in: folder)
        XCTAssertEqual(run.status, 0, "\(arguments): \(run.output)")
        return run.output
    }

    /// `train-ae` of the shared synthetic set, batch 4, with `extra`.
    private func trainAE(run: String, ranks: Int?, extra: [String]) throws -> String {
        try pipeline(
            [
                "train-ae", "--run", run, "--dataset", "artifacts/data/dataset", "--steps", String(Self.steps),
                "--batch-size", "4", "--lr", "1e-3", "--eval-images", "4",
            ] + extra, ranks: ranks)
    }

    private func assertSameTraining(_ alone: String, _ pair: String, _ what: String) throws {
        let difference = WeightDifference(
            try MPILaunch.checkpointWeights(folder.appendingPathComponent("\(alone)/checkpoint.safetensors")),
            try MPILaunch.checkpointWeights(folder.appendingPathComponent("\(pair)/checkpoint.safetensors")))
        XCTAssertLessThan(difference.weights, Self.tolerance, what)
        XCTAssertLessThan(difference.keyBiases, Self.keyBiasTolerance, what)
        let manifest = try String(contentsOf: folder.appendingPathComponent("\(pair)/manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"ranks\" : 2"), "\(what):\n\(manifest)")
    }

    func testTwoRanksTrainTheAutoencoderAndItsDecoderFineTuneAsOneProcess() throws {
        _ = try MPILaunch.mpirun()
        try pipeline(["prepare", "--count", "24", "--classes", "2", "--size", "32", "--run", "data"])
        // A tiny autoencoder, its codebooks started at step 1.
        let tiny = ["--width-scale", "0.125", "--codebook-size", "16", "--levels", "2"]
        try trainAE(run: "alone", ranks: nil, extra: tiny + ["--quantizer-start", "1"])
        let pair = try trainAE(run: "pair", ranks: 2, extra: tiny + ["--quantizer-start", "1"])
        XCTAssertEqual(pair.components(separatedBy: "manifest: ").count - 1, 1, "rank 0 alone writes:\n\(pair)")
        // The checkpoint holds the weights, EMA averages, codebooks and their statistics.
        try assertSameTraining("artifacts/alone/autoencoder", "artifacts/pair/autoencoder", "autoencoder")

        // The decoder fine-tune of the same autoencoder (one process's), alone and on two ranks.
        let source = tiny + ["--finetune-decoder", "artifacts/alone/autoencoder/model.safetensors"]
        try trainAE(run: "tune-alone", ranks: nil, extra: source)
        try trainAE(run: "tune-pair", ranks: 2, extra: source)
        try assertSameTraining("artifacts/tune-alone/decoder", "artifacts/tune-pair/decoder", "decoder fine-tune")

        // Evaluation is not training: rank 0 evaluates, the other rank leaves at once.
        let evaluated = try pipeline(
            [
                "train-ae", "--run", "alone", "--dataset", "artifacts/data/dataset", "--evaluate-only",
                "--save-reconstructions", "recon",
            ] + tiny, ranks: 2)
        XCTAssertEqual(evaluated.components(separatedBy: "held-out evaluation").count - 1, 1, evaluated)
        let pictures = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("recon").path)
        XCTAssertEqual(pictures.filter { $0.hasSuffix(".png") }.count, 2, "\(pictures)")
    }
}
