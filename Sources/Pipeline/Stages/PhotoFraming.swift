import Datasets
import FileFormats
import Foundation

/// How `evaluate` frames a folder of photos: as `prepare --margin M` frames a dataset cache and
/// its reader crops it — shorter side resized to `side + margin` (Lanczos-3), the centred square
/// of that side kept, then its centre `side` square.
///
/// Why: a model trained on a cache made with a margin learnt images that show the centre
/// `size / (size + margin)` of each photo (training crops lie inside the margin, and the cache's
/// held-out images are scored by their centre crop). Photos resized straight to `side` show more
/// of the scene (12.5 % more with Oxford's 16 px around 128), so the reference would be framed
/// unlike both the training images and the cache's own held-out images.
public struct PhotoFraming: Equatable, Sendable {
    /// Pixels added to the shorter side before the centre `side` square is kept.
    public var margin = 0
    /// Where `margin` came from, e.g. "margin 16 of the run's dataset"; nil: none given.
    public var origin: String?

    public init(margin: Int = 0, origin: String? = nil) {
        self.margin = margin
        self.origin = origin
    }

    /// "shorter side to 144, centre 128 kept (margin 16 of the run's dataset)".
    func describe(side: Int) -> String {
        let what =
            margin == 0
            ? "shorter side to \(side), centre square kept"
            : "shorter side to \(side + margin), centre \(side) kept"
        return what + " (" + (origin ?? "margin \(margin)") + ")"
    }

    /// `image` framed at `side`: as `prepare` stores it with this margin (an image already of the
    /// stored size is kept as `prepare` keeps it), then its centre `side` square.
    func frame(_ image: RGBImage, side: Int) throws -> (image: RGBImage, resized: Bool, enlarged: Bool) {
        let stored = side + margin
        if image.width == stored && image.height == stored {
            return (try Cropper.centerCrop(image, width: side, height: side), false, false)
        }
        let square = try Cropper.resizeAndCenterCrop(image, size: side, margin: margin)
        return (try Cropper.centerCrop(square.image, width: side, height: side), true, square.wasUpscaled)
    }

    /// The framing of a run's dataset cache at `side` px: its margin, scaled from the cache's
    /// image size to `side` when they differ (the same share of the photo is kept); margin 0 when
    /// the run has no dataset cache.
    /// - Throws: `FileFormatError` if the cache or its manifest is there but unreadable.
    static func ofRunDataset(_ dataset: URL, side: Int) throws -> PhotoFraming {
        let manifestURL = dataset.appendingPathComponent(DatasetCacheLayout.manifestFile)
        let recorded: (size: Int, margin: Int)
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            let processing = try DatasetManifest.read(from: dataset).processing
            recorded = (processing.size, processing.margin)
        } else if FileManager.default.fileExists(
            atPath: dataset.appendingPathComponent(DatasetCacheLayout.imagesFile).path)
        {
            let cache = try DatasetCache.open(dataset)
            recorded = (cache.size, cache.margin)
        } else {
            return PhotoFraming(margin: 0, origin: "margin 0: the run has no dataset cache")
        }
        let (size, margin) = recorded
        guard size != side, margin > 0 else {
            return PhotoFraming(margin: margin, origin: "margin \(margin) of the run's dataset")
        }
        let scaled = Int((Double(margin) * Double(side) / Double(size)).rounded())
        return PhotoFraming(
            margin: scaled,
            origin: "margin \(scaled): the run's dataset's \(margin) around \(size) px, scaled to \(side) px")
    }
}
