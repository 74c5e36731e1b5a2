import FileFormats
import Foundation
import XCTest

final class JSONFileTests: TemporaryDirectoryTestCase {
    struct Manifest: Codable, Equatable {
        var name: String
        var steps: Int
        var inputs: [String: String]
        var path: String
    }

    func testWritesPrettySortedAndReadsBack() throws {
        let value = Manifest(name: "ae", steps: 3, inputs: ["b": "2", "a": "1"], path: "a/b")
        let url = tmp.appendingPathComponent("manifest.json")
        try JSONFile.write(value, to: url)
        XCTAssertEqual(try JSONFile.read(Manifest.self, from: url), value)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(
            text,
            """
            {
              "inputs" : {
                "a" : "1",
                "b" : "2"
              },
              "name" : "ae",
              "path" : "a/b",
              "steps" : 3
            }

            """)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["manifest.json"])
    }

    func testErrorsNameTheFile() throws {
        let url = tmp.appendingPathComponent("broken.json")
        try AtomicFile.write(Data("{\"name\": 1}".utf8), to: url)
        assertFormatError(try JSONFile.read(Manifest.self, from: url), kind: .malformed, containing: "broken.json")
        try AtomicFile.write(Data("{nope".utf8), to: url)
        assertFormatError(try JSONFile.read(Manifest.self, from: url), kind: .malformed, containing: "broken.json")
        try AtomicFile.write(Data(), to: url)
        assertFormatError(try JSONFile.read(Manifest.self, from: url), kind: .malformed)
        assertFormatError(
            try JSONFile.read(Manifest.self, from: tmp.appendingPathComponent("gone.json")),
            kind: .notFound, containing: "gone.json")
        let missingKey = assertFormatError(
            try JSONFile.decode(Manifest.self, from: Data("{\"name\":\"x\"}".utf8), path: "m.json"))
        XCTAssertTrue(missingKey?.message.contains("steps") ?? false, String(describing: missingKey))
    }
}
