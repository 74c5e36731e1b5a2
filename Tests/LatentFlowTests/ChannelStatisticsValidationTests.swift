import FileFormats
import Foundation
import LatentFlow
import TensorCore
import XCTest

/// Statistics decoded from a model file or checkpoint skip `init`, and `init`'s precondition is
/// compiled out in release builds anyway: decoding checks them itself, so a short `std` is an
/// error naming the file rather than a read past the array when samples are destandardised.
final class ChannelStatisticsValidationTests: XCTestCase {
    func decode(_ json: String) throws -> ChannelStatistics {
        try JSONFile.decode(ChannelStatistics.self, from: Data(json.utf8), path: "stats.json")
    }

    func testDecodingChecksTheStatistics() throws {
        XCTAssertEqual(try decode(#"{"mean": [1, 2], "std": [3, 0]}"#), ChannelStatistics(mean: [1, 2], std: [3, 0]))
        for (json, problem) in [
            (#"{"mean": [1, 2], "std": [3]}"#, "2 means but 1 standard deviations"),
            (#"{"mean": [], "std": []}"#, "no channels"),
            (#"{"mean": [1, 2], "std": [3, -1]}"#, "standard deviation of channel 1 is -1"),
        ] {
            XCTAssertThrowsError(try decode(json), json) { error in
                XCTAssertTrue("\(error)".contains("stats.json"), "\(error)")
                XCTAssertTrue("\(error)".contains(problem), "\(error)")
            }
        }
        XCTAssertThrowsError(try ChannelStatistics.validated(mean: [0, 0, 0], std: [1, 1]))
    }

    func testAModelWithAShortStdIsRefusedWhenLoaded() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("short-std-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: 1)
        let network = VelocityUNet(
            UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 2), generator: &generator)
        let url = folder.appendingPathComponent("model.safetensors")
        try FlowModel(
            network: network, statistics: ChannelStatistics(mean: [0, 0], std: [1, 2]), path: .linear,
            sampleShape: [2, 8, 8]
        ).save(to: url)
        XCTAssertEqual(try FlowModel.load(from: url).statistics.std, [1, 2])
        var file = try SafetensorsFile.read(from: url)
        file.metadata["statistics"] = #"{"mean":[0,0],"std":[1]}"#
        try file.write(to: url)
        XCTAssertThrowsError(try FlowModel.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            XCTAssertTrue("\(error)".contains("2 means but 1 standard deviations"), "\(error)")
        }
    }
}
