import Datasets
import FileFormats
import Foundation
import XCTest

final class SyntheticFlowersTests: XCTestCase {
    func testSameSeedAndIndexGiveTheSameImage() throws {
        let a = try SyntheticFlowers(seed: 7), b = try SyntheticFlowers(seed: 7)
        XCTAssertEqual(try a.image(index: 3, size: 48), try b.image(index: 3, size: 48))
        XCTAssertNotEqual(try a.image(index: 3, size: 48), try a.image(index: 4, size: 48))
        XCTAssertNotEqual(try a.image(index: 3, size: 48), try SyntheticFlowers(seed: 8).image(index: 3, size: 48))
    }

    func testAnImageDoesNotDependOnWhichOthersWereRendered() throws {
        let flowers = try SyntheticFlowers(seed: 11)
        let batch = try flowers.images([9, 2, 5], size: 40)
        XCTAssertEqual(batch.count, 3)
        XCTAssertEqual(batch[0], try flowers.image(index: 9, size: 40))
        XCTAssertEqual(batch[2], try flowers.image(index: 5, size: 40))
    }

    func testLabelsAreBalancedAndNamed() throws {
        let flowers = try SyntheticFlowers(classCount: 10, seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for i in 0..<200 { counts[flowers.label(index: i)] += 1 }
        XCTAssertEqual(counts, [Int](repeating: 20, count: 10))
        XCTAssertEqual(flowers.classNames.count, 10)
        XCTAssertEqual(Set(flowers.classNames).count, 10)
        XCTAssertEqual(flowers.classNames[0], "daisy-like")
        let many = try SyntheticFlowers(classCount: 25, seed: 1)
        XCTAssertEqual(Set(many.classNames).count, 25, "variants past the built-in classes need their own names")
        XCTAssertEqual(many.label(index: -1), 24)
    }

    func testBadArgumentsThrowInsteadOfTrapping() throws {
        XCTAssertThrowsError(try SyntheticFlowers(classCount: 0, seed: 1))
        let flowers = try SyntheticFlowers(seed: 1)
        XCTAssertThrowsError(try flowers.image(index: 0, size: 0))
        XCTAssertThrowsError(try flowers.image(index: 0, size: -5))
        XCTAssertThrowsError(try flowers.images(0..<2, size: 100_000))
    }

    /// A small render must look like a large one seen from afar: if edges or textures aliased,
    /// the 32-pixel image would differ from an area-averaged 256-pixel one far more than this.
    func testSmallRendersAgreeWithAreaAveragedLargeOnes() throws {
        let flowers = try SyntheticFlowers(seed: 5)
        var total = 0.0
        let count = 10
        for index in 0..<count {
            let small = try flowers.image(index: index, size: 32)
            let large = try flowers.image(index: index, size: 256)
            var sum = 0.0
            for y in 0..<32 {
                for x in 0..<32 {
                    for c in 0..<3 {
                        var acc = 0
                        for dy in 0..<8 {
                            for dx in 0..<8 { acc += Int(large.pixels[((y * 8 + dy) * 256 + x * 8 + dx) * 3 + c]) }
                        }
                        sum += abs(Double(acc) / 64 - Double(small.pixels[(y * 32 + x) * 3 + c]))
                    }
                }
            }
            total += sum / Double(32 * 32 * 3)
        }
        let meanError = total / Double(count)
        XCTAssertLessThan(meanError, 4.0, "mean absolute difference \(meanError) (of 255)")
    }

    /// Classes must be told apart by a model, so they should differ in colour statistics at least
    /// on average: the per-class mean colours should not all coincide.
    func testClassesDifferInAppearance() throws {
        let flowers = try SyntheticFlowers(seed: 3)
        var means: [[Double]] = []
        for label in 0..<10 {
            var m = [0.0, 0.0, 0.0]
            for k in 0..<6 {
                let image = try flowers.image(index: label + 10 * k, size: 32)
                // The middle of the frame is where the flower is.
                for y in 10..<22 {
                    for x in 10..<22 { for c in 0..<3 { m[c] += Double(image.pixels[(y * 32 + x) * 3 + c]) } }
                }
            }
            means.append(m.map { $0 / Double(6 * 144) })
        }
        var close = 0
        for a in 0..<10 {
            for b in (a + 1)..<10 {
                let d = zip(means[a], means[b]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                if d < 8 { close += 1 }
            }
        }
        XCTAssertLessThan(close, 5, "too many classes with nearly the same mean colour: \(means)")
    }

    /// Writes contact sheets for a person to look at: 8 images of each class at 128 px, and the
    /// same at 32 px enlarged 4× (to judge edges pixel by pixel). They are kept only when
    /// `FMF_CONTACT_SHEET_DIR` names a folder to put them in.
    func testContactSheetsCanBeWritten() throws {
        let flowers = try SyntheticFlowers(seed: 2024)
        // One row per class: labels take turns, so class c is at indices c, c + 10, c + 20, …
        let ordered = (0..<10).flatMap { label in (0..<8).map { label + 10 * $0 } }
        XCTAssertEqual(ordered.map(flowers.label), (0..<10).flatMap { Array(repeating: $0, count: 8) })
        let scratch = try TemporaryDirectory("contact-sheets")
        let folder =
            ProcessInfo.processInfo.environment["FMF_CONTACT_SHEET_DIR"].map { URL(fileURLWithPath: $0) }
            ?? scratch.url
        for (size, scale) in [(128, 1), (32, 4)] {
            let images = try flowers.images(ordered, size: size)
            let sheet = PPMWriter.contactSheet(images, columns: 8, scale: scale)
            let url = folder.appendingPathComponent("synthetic-flowers-\(size)px.ppm")
            try PPMWriter.write(sheet, to: url)
            XCTAssertEqual(
                try Data(contentsOf: url).count,
                sheet.pixels.count + "P6\n\(sheet.width) \(sheet.height)\n255\n".utf8.count)
        }
    }
}
