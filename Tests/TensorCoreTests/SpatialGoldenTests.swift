import TensorCore
import XCTest

/// Resampling and channel ops against PyTorch's reference values (../shared/golden).
final class SpatialGoldenTests: XCTestCase {
    func testUpsampleNearest2x() throws {
        let golden = try GoldenCase.load("upsample_nearest2x")
        XCTAssertEqual(try golden.setting("scale"), 2)
        try golden.check(inputs: ["x"]) { upsampleNearest2x($0[0]) }
    }

    func testPixelShuffle() throws {
        let golden = try GoldenCase.load("pixel_shuffle2")
        let factor = try golden.setting("factor")
        try golden.check(inputs: ["x"]) { pixelShuffle($0[0], factor: factor) }
    }

    func testPixelUnshuffle() throws {
        let golden = try GoldenCase.load("pixel_unshuffle2")
        let factor = try golden.setting("factor")
        try golden.check(inputs: ["x"]) { pixelUnshuffle($0[0], factor: factor) }
    }

    func testConcatChannels() throws {
        let golden = try GoldenCase.load("concat_channels")
        XCTAssertEqual(try golden.setting("dim"), 1)
        try golden.check(inputs: ["a", "b"]) { concatChannels([$0[0], $0[1]]) }
    }
}
