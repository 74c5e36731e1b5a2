import Pipeline
import XCTest

final class ProgressLineTests: XCTestCase {
    let running = ProgressSnapshot(
        label: "train-ae", unit: "it", total: 1000, completed: 420, elapsed: 34,
        rate: 12.34, fields: [ProgressField("loss", 0.0123), ProgressField("psnr", 24.1)])

    func testTerminalLine() {
        XCTAssertEqual(
            ProgressLine.terminal(running, width: 200, barWidth: 10),
            "train-ae  42% [████▏     ]  420/1000  12.3 it/s  elapsed 34s  eta 47s  loss 0.0123  psnr 24.1")
    }

    func testTerminalLineIsCutToTheWidth() {
        let line = ProgressLine.terminal(running, width: 30, barWidth: 10)
        XCTAssertEqual(line.count, 30)
        XCTAssertTrue(line.hasSuffix("…"))
        XCTAssertEqual(ProgressLine.fit("short", width: 30), "short")
    }

    func testLogLine() {
        XCTAssertEqual(
            ProgressLine.log(running),
            "train-ae  420/1000 (42%)  12.3 it/s  elapsed 34s  eta 47s  loss 0.0123  psnr 24.1")
    }

    func testUnknownTotalAndRate() {
        let open = ProgressSnapshot(label: "encode", unit: "img", total: nil, completed: 17, elapsed: 3, rate: nil)
        XCTAssertEqual(ProgressLine.log(open), "encode  17 img  -- img/s  elapsed 3s")
        XCTAssertEqual(ProgressLine.terminal(open, width: 100), "encode  17 img  -- img/s  elapsed 3s")
    }

    func testSummaryDoneAndStopped() {
        let done = ProgressSnapshot(
            label: "train-ae", unit: "it", total: 1000, completed: 1000, elapsed: 185,
            rate: 6, fields: [ProgressField("loss", 0.0123)])
        XCTAssertEqual(ProgressLine.summary(done), "train-ae done: 1000/1000 it in 3m05s (5.41 it/s)  loss 0.0123")
        var stopped = done
        stopped.completed = 400
        stopped.fields = []
        XCTAssertEqual(ProgressLine.summary(stopped), "train-ae stopped: 400/1000 it in 3m05s (2.16 it/s)")
    }

    func testSnapshotEstimates() {
        XCTAssertEqual(running.fraction, 0.42)
        XCTAssertEqual(running.remainingSeconds!, 580 / 12.34, accuracy: 1e-9)
        XCTAssertNil(ProgressSnapshot(label: "x", total: 0, completed: 0, elapsed: 0, rate: nil).fraction)
    }
}
