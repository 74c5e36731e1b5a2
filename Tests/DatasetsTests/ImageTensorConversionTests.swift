import Datasets
import FileFormats
import XCTest

final class ImageTensorConversionTests: XCTestCase {
    func testLayoutIsNCHWInMinusOneToOne() throws {
        let a = RGBImage(width: 2, height: 1, pixels: [0, 255, 51, 102, 153, 204])
        let b = RGBImage(width: 2, height: 1, pixels: [255, 255, 255, 0, 0, 0])
        let t = try ImageTensorConversion.nchw(from: [a, b])
        XCTAssertEqual(t.count, 12)
        let expected: [Float] = [0, 102, 255, 153, 51, 204, 255, 0, 255, 0, 255, 0].map { Float($0) / 127.5 - 1 }
        for (x, e) in zip(t, expected) { XCTAssertEqual(x, e, accuracy: 1e-6) }
        let raw = try ImageTensorConversion.nchw(fromHWC: a.pixels + b.pixels, count: 2, height: 1, width: 2)
        XCTAssertEqual(raw, t)
    }

    func testRoundTripIsExactForEveryByte() throws {
        let bytes = (0..<(256 * 3)).map { UInt8($0 % 256) }
        let image = RGBImage(width: 16, height: 16, pixels: bytes)
        let t = try ImageTensorConversion.nchw(from: [image])
        let back = try ImageTensorConversion.images(fromNCHW: t, count: 1, height: 16, width: 16)
        XCTAssertEqual(back, [image])
    }

    func testBackConversionClampsAndRounds() throws {
        let values: [Float] = [-3, 2, .nan, 0.0039, -0.9961, 1]  // one image, 1×2, channels as planes
        let bytes = try ImageTensorConversion.hwcBytes(fromNCHW: values, count: 1, height: 1, width: 2)
        // pixel 0 = (−3, .nan, −0.9961), pixel 1 = (2, 0.0039, 1)
        XCTAssertEqual(bytes, [0, 128, 0, 255, 128, 255])
    }

    func testMismatchedSizesThrow() {
        let a = RGBImage(width: 2, height: 2), b = RGBImage(width: 3, height: 2)
        XCTAssertThrowsError(try ImageTensorConversion.nchw(from: [a, b]))
        XCTAssertThrowsError(try ImageTensorConversion.nchw(fromHWC: [1, 2, 3], count: 1, height: 1, width: 2))
        XCTAssertThrowsError(try ImageTensorConversion.hwcBytes(fromNCHW: [0, 0], count: 1, height: 1, width: 1))
        XCTAssertEqual(try ImageTensorConversion.nchw(from: []), [])
        XCTAssertThrowsError(try ImageTensorConversion.nchw(fromHWC: [], count: Int.max / 2, height: 4, width: 4))
        XCTAssertThrowsError(try ImageTensorConversion.images(fromNCHW: [], count: -1, height: 1, width: 1))
    }
}
