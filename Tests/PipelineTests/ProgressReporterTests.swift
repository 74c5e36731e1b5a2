import Foundation
import Pipeline
import XCTest

/// Collects what a reporter writes, and plays its clock.
private final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [String] = []
    private var time = 1000.0

    func write(_ text: String) {
        lock.lock()
        chunks.append(text)
        lock.unlock()
    }

    var output: [String] {
        lock.lock()
        defer { lock.unlock() }
        return chunks
    }

    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return time
    }

    func advanceClock(_ seconds: Double) {
        lock.lock()
        time += seconds
        lock.unlock()
    }
}

final class ProgressReporterTests: XCTestCase {
    private func reporter(_ recorder: Recorder, style: ProgressReporter.Style, total: Int? = 100) -> ProgressReporter {
        ProgressReporter(
            label: "train", total: total, unit: "step", style: style,
            write: { recorder.write($0) }, clock: { recorder.now })
    }

    func testLogStyleWritesEveryKPercentAndASummary() {
        let recorder = Recorder()
        let progress = reporter(recorder, style: .log(everySeconds: 0, everyPercent: 25))
        for _ in 0..<100 {
            recorder.advanceClock(0.5)
            progress.advance(fields: [ProgressField("loss", 0.5)])
        }
        progress.finish()
        let lines = recorder.output
        XCTAssertEqual(lines.count, 4, "\(lines)")  // 25%, 50%, 75%, summary (100% is the summary)
        XCTAssertTrue(lines[0].hasPrefix("train  25/100 (25%)  2.00 step/s  elapsed 13s"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("train  50/100 (50%)"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("train  75/100 (75%)"), lines[2])
        XCTAssertEqual(lines[3], "train done: 100/100 step in 50s (2.00 step/s)  loss 0.5\n")
        XCTAssertTrue(lines.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
    }

    /// A resumed loop's first line used to show the checkpoint's steps as done in no time
    /// ("140M step/s", "eta 0.0s"); its rate, ETA and average must be this session's.
    func testResumedStepsCountInTheTotalButNotInTheRate() {
        let recorder = Recorder()
        let progress = ProgressReporter(
            label: "train", total: 1000, unit: "step", resumedAt: 250,
            style: .log(everySeconds: 10, everyPercent: 0),
            write: { recorder.write($0) }, clock: { recorder.now })
        XCTAssertEqual(progress.snapshot.completed, 250)
        for step in 251...300 {
            recorder.advanceClock(0.5)
            progress.update(completed: step)
        }
        let snapshot = progress.snapshot
        XCTAssertEqual(snapshot.rate ?? 0, 2, accuracy: 1e-9)
        XCTAssertEqual(snapshot.averageRate ?? 0, 2, accuracy: 1e-9)
        XCTAssertEqual(snapshot.remainingSeconds ?? 0, 350, accuracy: 1e-6)
        XCTAssertTrue(
            recorder.output[0].hasPrefix("train  270/1000 (27%)  2.00 step/s  elapsed 10s  eta 6m05s"),
            recorder.output[0])
        progress.finish()
        XCTAssertEqual(recorder.output.last, "train stopped: 300/1000 step in 25s (2.00 step/s), resumed at 250\n")
    }

    func testLogStyleWritesEveryNSeconds() {
        let recorder = Recorder()
        let progress = reporter(recorder, style: .log(everySeconds: 10, everyPercent: 0), total: nil)
        for _ in 0..<35 {
            recorder.advanceClock(1)
            progress.advance()
        }
        XCTAssertEqual(recorder.output.count, 3, "\(recorder.output)")  // at 10 s, 20 s and 30 s
        XCTAssertTrue(recorder.output[0].hasPrefix("train  10 step  1.00 step/s  elapsed 10s"), recorder.output[0])
        progress.finish()
        progress.finish()
        XCTAssertEqual(recorder.output.count, 4)
        XCTAssertEqual(recorder.output[3], "train done: 35 step in 35s (1.00 step/s)\n")
    }

    func testTerminalStyleRedrawsAtMostTenTimesASecond() {
        let recorder = Recorder()
        let progress = reporter(recorder, style: .terminal(width: 120), total: 1000)
        for _ in 0..<1000 {
            recorder.advanceClock(0.001)  // 1000 updates in one second
            progress.advance()
        }
        let draws = recorder.output
        XCTAssertGreaterThanOrEqual(draws.count, 9)
        XCTAssertLessThanOrEqual(draws.count, 11)
        XCTAssertTrue(draws.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") && !$0.contains("\n") })
        XCTAssertTrue(draws.last!.contains("%"))
        XCTAssertTrue(draws.last!.contains("["))
        progress.finish()
        XCTAssertEqual(recorder.output.last, "\r\u{1B}[Ktrain done: 1000/1000 step in 1s (1000 step/s)\n")
    }

    func testMessagesClearTheTerminalLineAndRedrawIt() {
        let recorder = Recorder()
        let progress = reporter(recorder, style: .terminal(width: 120))
        progress.advance()
        progress.message("checkpoint saved")
        let output = recorder.output
        XCTAssertEqual(output[1], "\r\u{1B}[K")
        XCTAssertEqual(output[2], "checkpoint saved\n")
        XCTAssertTrue(output[3].hasPrefix("\rtrain  1%"), output[3])
    }

    func testFieldsKeepTheirOrderAndTakeNewValues() {
        let recorder = Recorder()
        let progress = reporter(recorder, style: .log(everySeconds: 0, everyPercent: 0))
        progress.setField("loss", 1.0)
        progress.setField("psnr", 20.0)
        progress.advance(fields: [ProgressField("loss", 0.25)])
        progress.setField("phase", "warm-up")
        XCTAssertEqual(
            progress.snapshot.fields,
            [ProgressField("loss", "0.25"), ProgressField("psnr", "20"), ProgressField("phase", "warm-up")])
    }

    func testStoppedLoopSaysSoAndUpdateSetsTheCount() {
        let recorder = Recorder()
        let progress = reporter(recorder, style: .log(everySeconds: 0, everyPercent: 0))
        progress.update(completed: 40)
        recorder.advanceClock(4)
        progress.advance(by: 2)
        XCTAssertEqual(progress.snapshot.completed, 42)
        progress.finish()
        XCTAssertEqual(recorder.output.last, "train stopped: 42/100 step in 4s (10.5 step/s)\n")
    }

    func testConcurrentUpdatesAreAllCounted() {
        let recorder = Recorder()
        let progress = ProgressReporter(
            label: "parallel", total: 80_000, style: .terminal(width: 100),
            write: { recorder.write($0) })
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for step in 0..<10_000 {
                progress.advance(fields: [ProgressField("worker", Double(worker)), ProgressField("step", Double(step))])
            }
        }
        progress.finish()
        XCTAssertEqual(progress.snapshot.completed, 80_000)
        XCTAssertTrue(
            recorder.output.last!.hasPrefix("\r\u{1B}[Kparallel done: 80000/80000 it in "), recorder.output.last!)
    }
}
