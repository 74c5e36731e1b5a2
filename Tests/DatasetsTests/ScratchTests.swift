import Datasets
import FileFormats
import Foundation
import XCTest

final class ScratchTests: XCTestCase {
    func testScratch() throws {
        let flowers = try SyntheticFlowers(seed: 2024)
        let images = try flowers.images([4, 14, 2, 12, 6, 16, 5, 7, 9], size: 256)
        try PPMWriter.write(PPMWriter.contactSheet(images, columns: 3), to: URL(fileURLWithPath: "/tmp/sheets/scratch256.ppm"))
        let crops = try flowers.images([4, 2, 7, 0], size: 64)
        try PPMWriter.write(PPMWriter.contactSheet(crops, columns: 4, scale: 6), to: URL(fileURLWithPath: "/tmp/sheets/scratch64.ppm"))
    }
}
