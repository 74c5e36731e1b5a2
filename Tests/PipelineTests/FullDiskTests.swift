import Foundation
import XCTest

/// A write that fails for lack of space is a clear error naming the file, a non-zero exit, and
/// leaves no partial artifact behind. The disk is "full" by a file-size limit on the process:
/// the write fails (EFBIG) where a full disk fails (ENOSPC), through the same code paths.
final class FullDiskTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("full-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Every file under `url`, hidden temporaries included.
    private func files(under url: URL) -> [String] {
        (FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String] ?? []).sorted()
    }

    func testPreparingACacheThatDoesNotFitLeavesNothing() throws {
        let outcome = try PipelineProcess.runWithFileSizeLimit(
            kibibytes: 256, ["prepare", "--count", "400", "--size", "64", "--gzip", "0", "--run", "full"], in: folder)
        XCTAssertEqual(outcome.status, 1, "a clean error exit, not a crash: \(outcome.stderr)")
        XCTAssertTrue(outcome.stderr.hasPrefix("error: "), outcome.stderr)
        XCTAssertTrue(
            outcome.stderr.contains("artifacts/full/") && outcome.stderr.contains("images.h5"),
            "the message names the file: \(outcome.stderr)")
        let dataset = folder.appendingPathComponent("artifacts/full/dataset")
        XCTAssertEqual(
            files(under: dataset).filter { !$0.hasPrefix(".pipeline.lock") }, [],
            "no partial cache or temporary file is left")
    }

    func testACheckpointThatDoesNotFitIsAnErrorAndNoHalfFile() throws {
        let prepared = try PipelineProcess.run(
            ["prepare", "--count", "24", "--classes", "2", "--size", "32", "--run", "full"], in: folder)
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        let outcome = try PipelineProcess.runWithFileSizeLimit(
            kibibytes: 48,
            [
                "train-ae", "--run", "full", "--steps", "2", "--width-scale", "0.25", "--batch-size", "4",
                "--codebook-size", "16", "--levels", "2", "--checkpoint-every", "1",
            ], in: folder)
        XCTAssertEqual(outcome.status, 1, "a clean error exit, not a crash: \(outcome.stderr)")
        XCTAssertTrue(outcome.stderr.hasPrefix("error: "), outcome.stderr)
        XCTAssertTrue(
            outcome.stderr.contains("artifacts/full/autoencoder/"), "the message names the file: \(outcome.stderr)")
        let stage = folder.appendingPathComponent("artifacts/full/autoencoder")
        let left = files(under: stage)
        XCTAssertFalse(left.contains("checkpoint.safetensors"), "\(left)")
        XCTAssertFalse(left.contains("model.safetensors"), "\(left)")
        XCTAssertFalse(left.contains("manifest.json"), "\(left)")
        XCTAssertTrue(left.filter { $0.contains(".tmp") }.isEmpty, "temporary files are removed: \(left)")
        // The source cache is untouched by the failure.
        let again = try PipelineProcess.run(
            [
                "train-ae", "--run", "full", "--steps", "1", "--width-scale", "0.25", "--batch-size", "4",
                "--codebook-size", "16", "--levels", "2", "--restart",
            ], in: folder)
        XCTAssertEqual(again.status, 0, again.stderr)
    }
}
