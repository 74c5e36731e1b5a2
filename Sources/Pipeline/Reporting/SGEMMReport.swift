import FileFormats
import Foundation
import TensorCore

/// Printing and exporting sgemm measurements.
public enum SGEMMReport {
    /// The column headings that `line(for:)` fills.
    public static let header =
        "  " + pad("shape", 26) + pad("GFLOP", 9) + pad("median", 12) + pad("GFLOP/s", 10) + "best   repeats"

    /// One table row: shape, work, median time, median rate, best rate and repeat count.
    public static func line(for measurement: SGEMMMeasurement) -> String {
        let milliseconds = measurement.medianSeconds * 1000
        let time = milliseconds < 10 ? String(format: "%.3f ms", milliseconds) : String(format: "%.1f ms", milliseconds)
        return "  " + pad(measurement.shape.label, 26)
            + pad(String(format: "%.3f", measurement.shape.flops / 1e9), 9)
            + pad(time, 12)
            + pad(String(format: "%.1f", measurement.medianGFLOPS), 10)
            + pad(String(format: "%.1f", measurement.bestGFLOPS), 7)
            + "\(measurement.repeats)"
    }

    /// The rate that training-step benchmarks are compared with: the convolution-shaped product
    /// if it was measured (the reference networks are convolutional), else the best median.
    public static func referenceRate(_ measurements: [SGEMMMeasurement]) -> SGEMMMeasurement? {
        measurements.first { $0.shape.label.hasPrefix("conv") }
            ?? measurements.max { $0.medianGFLOPS < $1.medianGFLOPS }
    }

    /// The closing line of a printout.
    public static func summary(_ measurements: [SGEMMMeasurement]) -> String {
        guard let reference = referenceRate(measurements) else { return "sgemm: nothing measured" }
        return String(format: "reference sgemm rate (%@): %.1f GFLOP/s", reference.shape.label, reference.medianGFLOPS)
    }

    /// The JSON document written by `pipeline bench --export`.
    public struct Export: Codable, Equatable {
        public var date: String
        public var machine: MachineSummary
        public var sgemm: [Entry]
        public var sgemmReferenceGFLOPS: Double?
        public var peakMemoryBytes: Int?
    }

    /// One measured shape with its rates, so that the file can be read without recomputing them.
    public struct Entry: Codable, Equatable {
        public var label: String
        public var m: Int
        public var n: Int
        public var k: Int
        public var repeats: Int
        public var medianSeconds: Double
        public var fastestSeconds: Double
        public var medianGFLOPS: Double
        public var bestGFLOPS: Double

        public init(_ measurement: SGEMMMeasurement) {
            label = measurement.shape.label
            m = measurement.shape.m
            n = measurement.shape.n
            k = measurement.shape.k
            repeats = measurement.repeats
            medianSeconds = measurement.medianSeconds
            fastestSeconds = measurement.fastestSeconds
            medianGFLOPS = measurement.medianGFLOPS
            bestGFLOPS = measurement.bestGFLOPS
        }
    }

    /// Writes `sgemm.json` into `folder` (created if needed), atomically; returns its path.
    public static func export(machine: MachineSummary, sgemm: [SGEMMMeasurement], to folder: String) throws -> String {
        let document = Export(
            date: ISO8601DateFormatter().string(from: Date()),
            machine: machine,
            sgemm: sgemm.map(Entry.init),
            sgemmReferenceGFLOPS: referenceRate(sgemm)?.medianGFLOPS,
            peakMemoryBytes: ProcessMemory.peakResidentBytes())
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(.writeFailed, path: folder, "cannot create the folder: \(error.localizedDescription)")
        }
        let path = (folder as NSString).appendingPathComponent("sgemm.json")
        try JSONFile.write(document, to: URL(fileURLWithPath: path))
        return path
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
