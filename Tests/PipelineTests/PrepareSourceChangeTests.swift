import Datasets
import FileFormats
import Foundation
import Pipeline
import XCTest

/// prepare's key holds its `--data` folder as a path: whether the files in it are still those
/// the cache was made from is judged from the folder's listing, every time a run is assessed.
final class PrepareSourceChangeTests: XCTestCase {
    var root: URL!
    var run: URL { root.appendingPathComponent("artifacts/src") }
    var photos: URL { root.appendingPathComponent("photos") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("source-change-\(UUID().uuidString)")
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
        for (index, name) in ["rose/0.png", "rose/1.png", "tulip/0.png", "tulip/1.png"].enumerated() {
            try photo(name, shade: UInt8(index * 40))
        }
    }

    func photo(_ name: String, shade: UInt8, side: Int = 40) throws {
        let url = photos.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNGImage.encode(RGBImage(width: side, height: side, fill: (shade, 10, 10))).write(to: url)
    }

    /// Prepares the photos into the run's dataset folder and records the stage as `run` does.
    func prepareAndRecord() throws -> (ledger: RunLedger, settings: StageSettings) {
        var options = PrepareStage.Options()
        options.source = .folder
        options.data = photos.path
        options.size = 32
        options.validationFraction = 0.5
        options.testFraction = 0
        options.output = run.appendingPathComponent(RunStage.prepare.folder).path
        try PrepareStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })
        let settings = try StageSettings(options, runFolder: run, base: root)
        var ledger = RunLedger()
        let outcome = try StageCompletion.finish(
            .prepare, in: &ledger, runFolder: run, key: StageKey.of(.prepare, settings: settings, consumed: [:]),
            settings: settings, consumed: [:], stopRequested: false, cache: DigestCache())
        XCTAssertEqual(outcome, .recorded)
        return (ledger, settings)
    }

    func assess(_ ledger: RunLedger, _ settings: StageSettings) -> [RunStage: StageAssessment] {
        RunAssessment.assess(
            config: RunConfig(preset: .quick), runFolder: run, ledger: ledger, settings: [.prepare: settings],
            cache: DigestCache())
    }

    func testAnImageAddedRemovedOrRewrittenMakesPrepareStaleAndSaysWhich() throws {
        let (ledger, settings) = try prepareAndRecord()
        XCTAssertEqual(assess(ledger, settings)[.prepare]?.state, .done)
        XCTAssertNil(assess(ledger, settings)[.prepare]?.note)

        try photo("rose/2.png", shade: 200)
        let stale = assess(ledger, settings)
        XCTAssertEqual(
            stale[.prepare]?.state,
            .stale("\(photos.path) changed since the cache was made: 1 file added (rose/2.png)"))
        // Everything below it waits for it, as after a changed setting.
        XCTAssertEqual(stale[.trainAE]?.state, .missing)
        XCTAssertEqual(
            RunPlan.make(stale, only: nil, from: nil, force: false).first { $0.stage == .prepare }?.action,
            .run("stale: \(photos.path) changed since the cache was made: 1 file added (rose/2.png)"))

        try FileManager.default.removeItem(at: photos.appendingPathComponent("rose/2.png"))
        XCTAssertEqual(assess(ledger, settings)[.prepare]?.state, .done, "the folder is as it was again")

        try FileManager.default.removeItem(at: photos.appendingPathComponent("tulip/1.png"))
        try photo("rose/1.png", shade: 99, side: 48)
        XCTAssertEqual(
            assess(ledger, settings)[.prepare]?.state,
            .stale(
                "\(photos.path) changed since the cache was made: 1 file removed (tulip/1.png), "
                    + "1 file changed (rose/1.png)"))
    }

    /// A source that is gone (moved, unmounted) leaves the cache as it was: done, and said.
    func testAMissingSourceKeepsTheCacheUsable() throws {
        let (ledger, settings) = try prepareAndRecord()
        try FileManager.default.moveItem(at: photos, to: root.appendingPathComponent("moved"))
        let prepare = try XCTUnwrap(assess(ledger, settings)[.prepare])
        XCTAssertEqual(prepare.state, .done)
        XCTAssertEqual(
            prepare.note, "its source \(photos.path) is missing now; the cache made from it is kept and used")
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: run.appendingPathComponent("dataset/images.h5").path))
    }

    /// A cache made before the listing was saved is judged by the digest its manifest kept.
    func testACacheWithoutASavedListingIsJudgedByItsManifest() throws {
        let (ledger, settings) = try prepareAndRecord()
        let listing = run.appendingPathComponent("dataset/\(SourceListing.fileName)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: listing.path))
        try FileManager.default.removeItem(at: listing)
        XCTAssertEqual(assess(ledger, settings)[.prepare]?.state, .done)
        try photo("tulip/2.png", shade: 7)
        XCTAssertEqual(
            assess(ledger, settings)[.prepare]?.state,
            .stale(
                "\(photos.path) changed since the cache was made: images were added, removed or resized (5 listed now)")
        )
    }
}
