import FileFormats
import Foundation
import Pipeline
import XCTest

/// The TensorBoard event files: the hand-written protobuf and record encoders against bytes the
/// `tensorboard` package's own protobuf classes and record writer produce (hex below, made with
/// tensorboard 2.21's `event_pb2`/`summary_pb2` and `masked_crc32c`), and files written by
/// `TrainingEventLog` read back with the project's decoder, checksums checked.
final class TensorBoardEventTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tensorboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map {
            UInt8(
                hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)!
        }
    }

    func testCRC32CAndItsMaskMatchTheReference() {
        // 0xE3069283 is CRC-32C's published check value for "123456789".
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    func testEventsEncodeExactlyAsTensorBoardsProtobufClasses() {
        let scalars = TensorBoardEvent(
            wallTime: 1.5, step: 3, content: .summary([.init("loss", .scalar(0.25)), .init("swd/32px", .scalar(-2))]))
        XCTAssertEqual(
            scalars.encoded(),
            bytes("09000000000000f83f10032a1e0a0b0a046c6f7373150000803e0a0f0a087377642f3332707815000000c0"))
        let version = TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, content: .fileVersion("brain.Event:2"))
        XCTAssertEqual(version.encoded(), bytes("0900001040fc54d9411a0d627261696e2e4576656e743a32"))
        let start = TensorBoardEvent(wallTime: 2, step: 7, content: .sessionStart)
        XCTAssertEqual(start.encoded(), bytes("09000000000000004010073a020801"))
        let image = TensorBoardEvent(
            wallTime: 0.5, step: 300,
            content: .summary([
                .init("grid", .image(.init(width: 3, height: 2, encoded: [0x89, 0x50, 0x4E, 0x47])))
            ]))
        XCTAssertEqual(
            image.encoded(), bytes("09000000000000e03f10ac022a160a140a0467726964220c080210031803220489504e47"))
        for event in [scalars, version, start, image] {
            XCTAssertEqual(try TensorBoardEvent.decode(event.encoded()), event, "decoding gives the event back")
        }
    }

    func testRecordFramingMatchesTensorBoardsRecordWriter() throws {
        let record = TensorBoardRecords.frame([0x0A, 0x0B])
        XCTAssertEqual(record, bytes("020000000000000078270b340a0b4a900202"))
        XCTAssertEqual(try TensorBoardRecords.split(record + record, path: "x"), [[0x0A, 0x0B], [0x0A, 0x0B]])
    }

    func testDamagedRecordsAreErrorsNamingTheFileNeverCrashes() {
        let good = TensorBoardRecords.frame(
            TensorBoardEvent(wallTime: 1, step: 1, content: .summary([.init("loss", .scalar(1))])).encoded())
        var flipped = good
        flipped[14] ^= 0x01  // a data byte: the data checksum fails
        XCTAssertThrowsError(try TensorBoardRecords.split(flipped, path: "/x/events")) {
            XCTAssertTrue("\($0)".contains("/x/events") && "\($0)".contains("checksum does not match"), "\($0)")
        }
        var length = good
        length[0] ^= 0x40  // the length: its checksum fails before the length is trusted
        XCTAssertThrowsError(try TensorBoardRecords.split(length, path: "/x/events")) {
            XCTAssertTrue("\($0)".contains("length's checksum"), "\($0)")
        }
        XCTAssertThrowsError(try TensorBoardRecords.split(Array(good.dropLast(3)), path: "/x/events")) {
            XCTAssertTrue("\($0)".contains("truncated"), "\($0)")
        }
        // Malformed protobuf: a varint past the end, a length beyond the message, an unknown wire type.
        for message in [[0x08, 0x80], [0x0A, 0x05, 0x01], [0x0F, 0x00]] as [[UInt8]] {
            XCTAssertThrowsError(try ProtobufReader.fields(message), "\(message)")
        }
    }

    /// Sessions of one process started within the same second list in the order they began,
    /// past the 9th (the counter in the name was not zero-padded: "…10" sorted before "…9", and
    /// TensorBoard and the tests read a resumed session before the one it superseded).
    func testSessionsStartedInTheSameSecondListInTheirOrder() throws {
        let stage = folder.appendingPathComponent("same-second")
        let logs = (0..<12).map { _ in TrainingEventLog(stageFolder: stage, firstStep: 1, wallClock: { 2_000 }) }
        for log in logs { log.close() }
        let names = logs.map { $0.url!.lastPathComponent }
        XCTAssertEqual(TensorBoardEventFile.files(inStageFolder: stage).map(\.lastPathComponent), names)
        // Whatever counts earlier tests of this process used, the counter has one width.
        XCTAssertEqual(Set(names.map { $0.split(separator: ".").last!.count }), [6], "\(names)")
    }

    /// A session, then a session resumed at step 4: two files, each starting with the version and
    /// a session start at its first step (TensorBoard drops the first session's steps 4 and 5).
    func testTrainingEventLogWritesReadableFilesPerSession() throws {
        let stage = folder.appendingPathComponent("flow")
        var warnings = ""
        let first = TrainingEventLog(stageFolder: stage, firstStep: 1, warn: { warnings += $0 }, wallClock: { 1_000 })
        for step in 1...5 {
            first.scalars([("loss", 1 / Double(step)), ("learning_rate", 1e-3), ("skipped", .nan)], step: step)
        }
        first.image("evaluation_samples", RGBImage(width: 3, height: 2, fill: (255, 0, 0)), step: 5)
        first.close()
        let second = TrainingEventLog(stageFolder: stage, firstStep: 4, warn: { warnings += $0 }, wallClock: { 1_001 })
        for step in 4...6 { second.scalars([("loss", 0.5)], step: step) }
        second.close()
        XCTAssertEqual(warnings, "")

        let files = TensorBoardEventFile.files(inStageFolder: stage)
        XCTAssertEqual(files.count, 2)
        XCTAssertEqual(
            files.map(\.lastPathComponent), [first.url!.lastPathComponent, second.url!.lastPathComponent],
            "the first session's file sorts first, as TensorBoard reads them")
        XCTAssertTrue(
            files.allSatisfy {
                $0.lastPathComponent.hasPrefix("events.out.tfevents.0000001000.")
                    || $0.lastPathComponent.hasPrefix("events.out.tfevents.0000001001.")
            })

        let events = try TensorBoardEventFile.read(files[0])
        XCTAssertEqual(events.first?.content, .fileVersion("brain.Event:2"))
        XCTAssertEqual(events[1].content, .sessionStart)
        XCTAssertEqual(events[1].step, 1)
        let scalars = events.compactMap { event -> (Int64, [String])? in
            guard case .summary(let values) = event.content else { return nil }
            return (event.step, values.map(\.tag))
        }
        XCTAssertEqual(scalars.map(\.0), [1, 2, 3, 4, 5, 5])
        XCTAssertEqual(scalars[0].1, ["loss", "learning_rate"], "a NaN is left out")
        guard case .summary(let last)? = events.last?.content, case .image(let image)? = last.first?.value else {
            return XCTFail("the last event is the image")
        }
        XCTAssertEqual(last.first?.tag, "evaluation_samples")
        XCTAssertEqual([image.width, image.height, image.colorspace], [3, 2, 3])
        XCTAssertEqual(try PNGImage.decode(Data(image.encoded), path: "event").pixels.prefix(3), [255, 0, 0])

        let resumed = try TensorBoardEventFile.read(files[1])
        XCTAssertEqual(resumed[1].content, .sessionStart)
        XCTAssertEqual(resumed[1].step, 4)
        XCTAssertEqual(resumed.dropFirst(2).map(\.step), [4, 5, 6])
    }

    func testAFolderThatCannotBeWrittenIsAWarningNotAFailure() throws {
        let blocker = folder.appendingPathComponent("flow")
        try Data("a file where the stage folder should be".utf8).write(to: blocker)
        var warnings = ""
        let log = TrainingEventLog(stageFolder: blocker, firstStep: 1, warn: { warnings += $0 })
        log.scalars([("loss", 1)], step: 1)
        XCTAssertNil(log.url)
        XCTAssertTrue(warnings.hasPrefix("warning: cannot create the TensorBoard event file"), warnings)
        XCTAssertTrue(warnings.contains("training goes on"), warnings)
    }

    func testFlowAndAutoencoderMetricsBecomeTaggedScalars() {
        let flow = TrainingScalars.flow(["step": 10, "loss": 0.5, "lr": 1e-4, "images_per_second": 80, "grad_norm": 2])
        XCTAssertEqual(flow.map(\.tag), ["loss", "learning_rate", "images_per_second", "gradient_norm"])
        let evaluation = TrainingScalars.flow([
            "event": "eval", "step": 10, "swd_mean": 30, "swd": [40, 20], "swd_resolutions": [32, 16],
        ])
        XCTAssertEqual(evaluation.map(\.tag), ["swd/mean", "swd/32px", "swd/16px"])
        XCTAssertEqual(evaluation.map(\.value), [30, 40, 20])
    }
}
