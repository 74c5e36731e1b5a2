import FileFormats
import Foundation
import SharedTestData
import XCTest

/// The golden reference files were written by Python's `safetensors` package: reading all of them
/// checks compatibility with files this project did not make.
final class SafetensorsGoldenTests: XCTestCase {
    func testReadsEveryGoldenFileWithTheShapesFromTheIndex() throws {
        let golden = try SharedTestData.url("golden")
        let indexData = try Data(contentsOf: golden.appendingPathComponent("index.json"))
        let index = try XCTUnwrap(JSONSerialization.jsonObject(with: indexData) as? [String: Any])
        let files = try FileManager.default.contentsOfDirectory(atPath: golden.path)
            .filter { $0.hasSuffix(".safetensors") }.sorted()
        XCTAssertGreaterThan(files.count, 0)

        var checkedShapes = 0
        for name in files {
            let file = try SafetensorsFile.read(from: golden.appendingPathComponent(name))
            XCTAssertFalse(file.tensors.isEmpty, name)
            for (tensorName, tensor) in file.tensors {
                XCTAssertTrue([.f32, .i64].contains(tensor.dtype), "\(name)/\(tensorName)")
                if tensor.dtype == .f32 {
                    XCTAssertTrue(try tensor.floats().allSatisfy(\.isFinite), "\(name)/\(tensorName)")
                } else {
                    XCTAssertEqual(try tensor.int64s().count, tensor.shape.reduce(1, *))
                }
            }
            let caseName = String(name.dropLast(".safetensors".count))
            if let entry = index[caseName] as? [String: Any], let shapes = entry["tensors"] as? [String: [Int]] {
                for (tensorName, shape) in shapes {
                    XCTAssertEqual(file.tensors[tensorName]?.shape, shape, "\(name)/\(tensorName)")
                    checkedShapes += 1
                }
            }
            // Re-encoding and decoding what was read gives the same tensors.
            let again = try SafetensorsFile.decode(try file.encoded(), path: name)
            XCTAssertEqual(again.tensors, file.tensors)
            XCTAssertEqual(again.metadata, file.metadata)
        }
        XCTAssertGreaterThan(checkedShapes, 0, "index.json shapes were compared")
    }

    func testEmbeddingGoldenHasIntegerIdsAndMetadata() throws {
        let url = try SharedTestData.url("golden/embedding.safetensors")
        let file = try SafetensorsFile.read(from: url)
        let idx = try XCTUnwrap(file.tensors["idx"])
        XCTAssertEqual(idx.dtype, .i64)
        XCTAssertEqual(idx.shape, [5])
        XCTAssertTrue(try idx.int64s().allSatisfy { (0..<8).contains($0) })
        XCTAssertNotNil(file.metadata["doc"])
    }
}
