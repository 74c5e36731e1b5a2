import FileFormats
import Foundation

/// The outcome of preparing one catalog item: its cache row, or why it was left out.
enum PreparedItem {
    struct Row {
        /// `storedSize` × `storedSize` × 3 bytes.
        var pixels: [UInt8]
        /// SHA-256 and size of the source file (nil for synthetic images).
        var digest: SHA256Digest?
        var byteCount: Int
        var hashSeconds: Double
        var originalWidth: Int
        var originalHeight: Int
        /// Set when the image had to be enlarged.
        var upscale: Double?
    }

    case row(Row)
    case skipped(reason: String)

    /// Decode → RGB8 → shorter side to `storedSize` → centred square. Any problem with the file
    /// (unreadable, zero bytes, truncated, corrupt, not an image, absurd size) becomes a skip
    /// reason; the item's name is reported next to it, so the reason leaves the path out.
    static func prepare(_ item: DatasetItem, catalog: DatasetCatalog, options: PrepareOptions) -> PreparedItem {
        let side = options.storedSize
        do {
            let loaded = try catalog.load(item, side: side)
            let image = loaded.image
            var pixels = image.pixels
            var upscale: Double?
            if image.width != side || image.height != side {
                let result = try Cropper.resizeAndCenterCrop(
                    image, size: options.size, margin: options.margin,
                    filter: options.filter)
                pixels = result.image.pixels
                if result.wasUpscaled { upscale = result.scale }
            }
            return .row(
                Row(
                    pixels: pixels, digest: loaded.digest, byteCount: loaded.byteCount, hashSeconds: loaded.hashSeconds,
                    originalWidth: image.width, originalHeight: image.height, upscale: upscale))
        } catch let error as FileFormatError {
            return .skipped(reason: "\(error.kind.rawValue): \(error.message)")
        } catch {
            return .skipped(reason: "\(error)")
        }
    }
}
