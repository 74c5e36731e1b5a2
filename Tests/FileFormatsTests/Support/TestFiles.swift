import FileFormats
import Foundation
import XCTest

/// Test helpers: a fresh temporary folder per test (the shared data folder: `SharedTestData`).
enum TestFiles {
    /// An input file kept under Tests/FileFormatsTests/Fixtures/ (found from this file's path).
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
    }

    /// A new empty folder under the system temporary directory; removed by the caller's teardown.
    static func makeTemporaryDirectory(_ label: String = "fileformats") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Base class: every test gets `tmp`, a fresh folder deleted afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = try TestFiles.makeTemporaryDirectory(String(describing: type(of: self)))
    }

    override func tearDownWithError() throws {
        if let tmp { try? FileManager.default.removeItem(at: tmp) }
    }

    /// Asserts that `body` throws a FileFormatError (of `kind`, if given, with a message containing
    /// `fragment`, if given) and returns it.
    @discardableResult
    func assertFormatError<T>(
        _ body: @autoclosure () throws -> T, kind: FileFormatError.Kind? = nil,
        containing fragment: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> FileFormatError? {
        do {
            _ = try body()
            XCTFail("expected an error, got a value", file: file, line: line)
            return nil
        } catch let error as FileFormatError {
            if let kind { XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line) }
            if let fragment {
                XCTAssertTrue(
                    error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            }
            return error
        } catch {
            XCTFail("expected FileFormatError, got \(type(of: error)): \(error)", file: file, line: line)
            return nil
        }
    }
}
