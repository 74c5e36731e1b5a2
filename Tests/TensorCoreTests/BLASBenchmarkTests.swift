import TensorCore
import XCTest

final class BLASBenchmarkTests: XCTestCase {
    func testShapeFlopsAndLabels() {
        XCTAssertEqual(SGEMMShape.square(256).flops, 2 * 256 * 256 * 256)
        XCTAssertEqual(SGEMMShape.square(256).label, "square 256")
        XCTAssertEqual(SGEMMShape(m: 2, n: 3, k: 4).label, "2×3×4")
        let conv = SGEMMBenchmark.standardShapes.last!
        XCTAssertEqual([conv.m, conv.n, conv.k], [128, 4096, 9 * 128])
        XCTAssertEqual(SGEMMBenchmark.standardShapes.prefix(4).map(\.m), [256, 512, 1024, 2048])
    }

    func testMeasurementRepeatsAndRates() throws {
        let shape = SGEMMShape(m: 64, n: 48, k: 32)
        let fixed = try SGEMMBenchmark.measure(shape, minimumRepeats: 3, targetSeconds: 0)
        XCTAssertEqual(fixed.repeats, 3)
        XCTAssertGreaterThan(fixed.medianSeconds, 0)
        XCTAssertLessThanOrEqual(fixed.fastestSeconds, fixed.medianSeconds)
        XCTAssertEqual(fixed.medianGFLOPS, shape.flops / fixed.medianSeconds / 1e9, accuracy: 1e-9)
        XCTAssertGreaterThanOrEqual(fixed.bestGFLOPS, fixed.medianGFLOPS)
        XCTAssertTrue(fixed.medianGFLOPS.isFinite)

        // With a time target, small products repeat until the target or the cap.
        let capped = try SGEMMBenchmark.measure(shape, minimumRepeats: 3, maximumRepeats: 40, targetSeconds: 10)
        XCTAssertEqual(capped.repeats, 40)
    }

    func testInvalidShapesThrow() {
        XCTAssertThrowsError(try SGEMMBenchmark.measure(SGEMMShape(m: 0, n: 4, k: 4)))
        XCTAssertThrowsError(try SGEMMBenchmark.measure(SGEMMShape(m: 4, n: -1, k: 4)))
        XCTAssertThrowsError(try SGEMMBenchmark.measure(SGEMMShape(m: 1 << 20, n: 4, k: 1 << 20))) { error in
            XCTAssertTrue(String(describing: error).contains("2³¹"), "\(error)")
        }
    }

    func testRunMeasuresEachShapeAndHonoursStop() throws {
        let shapes = [SGEMMShape(m: 16, n: 16, k: 16), SGEMMShape(m: 32, n: 8, k: 24)]
        var reported: [String] = []
        let results = try SGEMMBenchmark.run(
            shapes: shapes, minimumRepeats: 2, targetSeconds: 0,
            onMeasured: { reported.append($0.shape.label) })
        XCTAssertEqual(results.map(\.shape), shapes)
        XCTAssertEqual(reported, shapes.map(\.label))

        var asked = 0
        let stopped = try SGEMMBenchmark.run(
            shapes: shapes, minimumRepeats: 2, targetSeconds: 0,
            shouldStop: {
                asked += 1
                return asked > 1
            })
        XCTAssertEqual(stopped.count, 1)
    }
}
