import Foundation
import XCTest

/// Fixtures a test recorded once from the code as it was, committed beside the test in
/// `Fixtures/`, so that later code is checked against what earlier code wrote (checkpoint
/// formats, parameter names). They are written only when `FMF_RECORD_FIXTURES=1` is set — on
/// purpose, for a deliberate format change — and a recording run skips its checks, so that it
/// can never pass as a test.
public enum RecordedFixture {
    /// The variable that turns checking into recording.
    public static let recordVariable = "FMF_RECORD_FIXTURES"

    public static var isRecording: Bool { ProcessInfo.processInfo.environment[recordVariable] == "1" }

    /// `Fixtures/<name>` in the folder of the test file calling this.
    public static func url(_ name: String, testFile: StaticString = #filePath) -> URL {
        URL(fileURLWithPath: "\(testFile)").deletingLastPathComponent()
            .appendingPathComponent("Fixtures", isDirectory: true).appendingPathComponent(name)
    }

    /// Checks `lines` against the recorded text fixture `name`, line for line, naming the first
    /// difference; when recording, writes them instead.
    public static func assertLines(
        _ lines: [String], matchRecorded name: String,
        testFile: StaticString = #filePath, line: UInt = #line
    ) throws {
        let url = url(name, testFile: testFile)
        if isRecording {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
            return
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail(
                "\(url.path): fixture missing or unreadable (record it with \(recordVariable)=1)", file: testFile,
                line: line)
            return
        }
        let recorded = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if let index = zip(recorded, lines).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail(
                "\(name) line \(index + 1): recorded '\(recorded[index])', now '\(lines[index])'", file: testFile,
                line: line)
        } else if recorded.count != lines.count {
            XCTFail("\(name): recorded \(recorded.count) lines, now \(lines.count)", file: testFile, line: line)
        }
    }

    /// The skip that ends a recording run's test once its fixtures are written.
    public static func recorded(_ names: String...) -> XCTSkip {
        XCTSkip("recorded \(names.joined(separator: ", ")); run again without \(recordVariable) to check against them")
    }
}
