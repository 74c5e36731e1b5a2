import Foundation
import Pipeline
import TensorCore
import XCTest

final class SGEMMReportTests: XCTestCase {
    let square = SGEMMMeasurement(shape: .square(1024), repeats: 17, medianSeconds: 0.02, fastestSeconds: 0.016)
    let conv = SGEMMMeasurement(
        shape: SGEMMShape(m: 128, n: 4096, k: 1152, label: "conv 128×(9·128)×4096"),
        repeats: 9, medianSeconds: 0.012, fastestSeconds: 0.01)

    func testTableLine() {
        // 2·1024³ flops in 20 ms is 107.4 GFLOP/s; the fastest repeat gives 134.2.
        XCTAssertEqual(
            SGEMMReport.line(for: square),
            "  square 1024               2.147    20.0 ms     107.4     134.2  17")
    }

    func testReferenceRateIsTheConvolutionShape() {
        XCTAssertEqual(SGEMMReport.referenceRate([square, conv]), conv)
        XCTAssertEqual(SGEMMReport.referenceRate([square]), square)
        XCTAssertNil(SGEMMReport.referenceRate([]))
        XCTAssertEqual(
            SGEMMReport.summary([square, conv]),
            String(format: "reference sgemm rate (conv 128×(9·128)×4096): %.1f GFLOP/s", conv.medianGFLOPS))
    }

    func testExportWritesReadableJSON() throws {
        let folder = NSTemporaryDirectory() + "bench-export-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let machine = MachineSummary.current()
        let path = try SGEMMReport.export(machine: machine, sgemm: [square, conv], to: folder)
        XCTAssertEqual(path, folder + "/sgemm.json")
        let document = try JSONDecoder().decode(
            SGEMMReport.Export.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(document.machine, machine)
        XCTAssertEqual(document.sgemm.map(\.label), ["square 1024", "conv 128×(9·128)×4096"])
        XCTAssertEqual(document.sgemm[0].medianGFLOPS, square.medianGFLOPS, accuracy: 1e-9)
        XCTAssertEqual(document.sgemmReferenceGFLOPS!, conv.medianGFLOPS, accuracy: 1e-9)
    }

    func testMachineSummary() {
        XCTAssertEqual(
            MachineSummary.cpuModel(cpuinfo: "processor\t: 0\nmodel name\t: AMD EPYC 9R14\n"), "AMD EPYC 9R14")
        XCTAssertNil(MachineSummary.cpuModel(cpuinfo: ""))
        let machine = MachineSummary.current()
        XCTAssertEqual(machine.pipelineVersion, PipelineVersion.current)
        XCTAssertTrue(machine.blasConfig.contains("OpenBLAS"), machine.blasConfig)
        XCTAssertTrue(machine.description.contains("BLAS core in use: \(machine.blasCore)"), machine.description)
    }
}
