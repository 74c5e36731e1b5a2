import FileFormats
import Foundation

/// Assembles a `DatasetManifest` from what preparation produced (timings are filled in by the caller).
enum ManifestBuilder {
    static func make(
        catalog: DatasetCatalog, items: [DatasetItem], options: PrepareOptions, skipped: [SkippedFile],
        upscaled: [DatasetManifest.UpscaledImage], fingerprint: DatasetManifest.ImageFingerprint,
        cacheBytes: Int
    ) throws -> DatasetManifest {
        var perClass = catalog.classNames.enumerated().map {
            DatasetManifest.ClassCount(id: $0.offset, name: $0.element, train: 0, validation: 0, test: 0)
        }
        for item in items where item.label >= 0 && item.label < perClass.count {
            switch item.subset {
            case .train: perClass[item.label].train += 1
            case .validation: perClass[item.label].validation += 1
            case .test: perClass[item.label].test += 1
            }
        }
        let counts = DatasetManifest.Counts(
            total: items.count,
            train: items.filter { $0.subset == .train }.count,
            validation: items.filter { $0.subset == .validation }.count,
            test: items.filter { $0.subset == .test }.count,
            candidates: catalog.items.count + catalog.skipped.count,
            skipped: skipped.count, upscaled: upscaled.count, perClass: perClass)
        let labelFiles = try catalog.labelFiles.map { url -> DatasetManifest.FileHash in
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            return .init(name: url.lastPathComponent, bytes: bytes, sha256: try SHA256.hashFile(at: url).hex)
        }
        let formatter = ISO8601DateFormatter()
        return DatasetManifest(
            format: DatasetCacheLayout.formatName, version: DatasetCacheLayout.formatVersion,
            createdAt: formatter.string(from: Date()),
            source: .init(kind: catalog.kind, path: catalog.root?.path, parameters: catalog.parameters),
            processing: .init(
                size: options.size, margin: options.margin, storedSize: options.storedSize,
                filter: options.filter.rawValue, gzipLevel: options.gzipLevel,
                steps:
                    "decode to RGB8, resize shorter side to \(options.storedSize) (\(options.filter.rawValue)), centre crop \(options.storedSize)×\(options.storedSize)"
            ),
            counts: counts, classNames: catalog.classNames, labelFiles: labelFiles,
            imageFiles: catalog.kind == .synthetic ? nil : fingerprint,
            skipped: skipped, upscaled: upscaled, notes: catalog.notes,
            timings: .init(
                catalogSeconds: 0, processSeconds: 0, compactSeconds: 0, totalSeconds: 0,
                imagesPerSecond: 0, threads: options.threads),
            cacheFile: DatasetCacheLayout.imagesFile, cacheBytes: cacheBytes)
    }
}
