import Datasets
import Foundation

/// The text `pipeline prepare` prints: what the source holds before work starts, and afterwards
/// the counts per subset and per class (compact for many classes), the skipped files and the cache.
public enum PrepareSummary {
    /// Skipped files listed one by one before the rest are only counted.
    public static let skippedShown = 20

    public static func catalogLines(_ catalog: DatasetCatalog) -> [String] {
        let place = catalog.root.map { " at \($0.path)" } ?? ""
        var lines = [
            "source: \(catalog.kind.rawValue)\(place): \(catalog.items.count) images in \(catalog.classNames.count) classes"
        ]
        lines += catalog.notes.map { "note: \($0)" }
        if !catalog.skipped.isEmpty {
            lines.append("note: \(catalog.skipped.count) listed images are missing and left out")
        }
        return lines
    }

    public static func resultLines(_ manifest: DatasetManifest, folder: URL) -> [String] {
        let c = manifest.counts
        let p = manifest.processing
        let t = manifest.timings
        var lines: [String] = []
        lines.append(
            "prepared \(c.total) of \(c.candidates) images at \(p.size) px"
                + (p.margin > 0 ? " + \(p.margin) margin (stored \(p.storedSize)×\(p.storedSize))" : "")
                + " in \(ReportFormat.duration(t.totalSeconds)) (\(ReportFormat.rate(t.imagesPerSecond, unit: "img")), \(t.threads) threads)"
        )
        lines.append("  subsets: train \(c.train) · validation \(c.validation) · test \(c.test)")
        lines += classLines(c.perClass)
        if c.upscaled > 0 {
            lines.append("  enlarged \(c.upscaled) images smaller than \(p.storedSize) px (listed in the manifest)")
        }
        if manifest.skipped.isEmpty {
            lines.append("  skipped: none")
        } else {
            lines.append("  skipped \(manifest.skipped.count) files:")
            for entry in manifest.skipped.prefix(skippedShown) { lines.append("    \(entry.file): \(entry.reason)") }
            if manifest.skipped.count > skippedShown {
                lines.append(
                    "    … and \(manifest.skipped.count - skippedShown) more (see \(DatasetCacheLayout.manifestFile))")
            }
        }
        lines.append(
            "cache: \(folder.appendingPathComponent(manifest.cacheFile).path) (\(ReportFormat.bytes(manifest.cacheBytes)))"
        )
        lines.append("manifest: \(folder.appendingPathComponent(DatasetCacheLayout.manifestFile).path)")
        return lines
    }

    /// One line per class (name and subsets) for up to 12 classes; beyond that a min/median/max
    /// line and totals ten classes to a line, labelled by class id.
    public static func classLines(_ classes: [DatasetManifest.ClassCount]) -> [String] {
        guard !classes.isEmpty else { return [] }
        if classes.count <= 12 {
            let width = classes.map(\.name.count).max() ?? 0
            return ["  per class:"]
                + classes.map {
                    "    \($0.id) \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.total)"
                        + "  (train \($0.train), validation \($0.validation), test \($0.test))"
                }
        }
        let sorted = classes.sorted { $0.total < $1.total }
        let least = sorted.first!, most = sorted.last!, median = sorted[sorted.count / 2].total
        var lines = [
            "  per class (\(classes.count) classes, ids from 0): min \(least.total) (\(least.id) \(least.name)), median \(median), max \(most.total) (\(most.id) \(most.name))"
        ]
        let width = String(classes.map(\.total).max() ?? 0).count
        for start in stride(from: 0, to: classes.count, by: 10) {
            let row = classes[start..<min(classes.count, start + 10)]
            let label = "\(row.first!.id)–\(row.last!.id)"
            lines.append(
                "    " + label.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + row.map { String(repeating: " ", count: width - String($0.total).count) + "\($0.total)" }.joined(
                        separator: " "))
        }
        return lines
    }
}
