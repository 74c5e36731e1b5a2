import Datasets
import FileFormats
import Foundation
import ImageMetrics
import TensorCore

/// Folders of PNG/JPEG images for `pipeline evaluate`.
extension EvaluateImageLoader {
    /// The files `generate` writes beside the samples that are not samples.
    static let sampleGridNames: Set<String> = [GenerateStage.gridFile, GenerateStage.unsnappedGridFile]

    /// The images of a folder, sample grids left out (with a note).
    ///
    /// With `side` (the generated images' size, when the real images are read) every image is
    /// used: photos of any size and aspect ratio are framed as a dataset cache prepared with
    /// `framing.margin` frames them (`PhotoFraming`: shorter side to `side + margin` with
    /// Lanczos-3, the centred square, then its centre `side` square). Without it (the generated
    /// set, which decides the size) the images of the most common size are used and any others
    /// left out with a note.
    static func loadFolder(_ url: URL, side: Int?, framing: PhotoFraming = .init(), maxImages: Int?, seed: UInt64)
        throws -> EvaluationImages
    {
        let all = try ImageFolder.scan(url).files
        let files = all.filter { !sampleGridNames.contains($0.lastPathComponent) }
        var notes: [String] = []
        let grids = all.filter { sampleGridNames.contains($0.lastPathComponent) }
        if !grids.isEmpty {
            notes.append(
                "left out \(grids.count) sample grid(s): " + grids.map(\.lastPathComponent).joined(separator: ", "))
        }
        guard !files.isEmpty else { throw DatasetError(.emptyDataset, "\(url.path): no images besides sample grids") }
        if let side {
            return try loadFramed(
                files, side: side, framing: framing, folder: url, notes: notes, maxImages: maxImages, seed: seed)
        }
        let decoded = try decode(files) { $0 }
        // The most common size wins (ties: the larger count first, then the first seen).
        var bySize: [String: Int] = [:]
        for image in decoded { bySize["\(image.width)×\(image.height)", default: 0] += 1 }
        let key = decoded.map { "\($0.width)×\($0.height)" }.max { bySize[$0]! < bySize[$1]! }!
        let keep = decoded.indices.filter { "\(decoded[$0].width)×\(decoded[$0].height)" == key }
        let left = decoded.indices.filter { !keep.contains($0) }
        if !left.isEmpty {
            let shown = left.prefix(5).map {
                "\(files[$0].lastPathComponent) (\(decoded[$0].width)×\(decoded[$0].height))"
            }
            notes.append(
                "left out \(left.count) image(s) not of the common size \(key): " + shown.joined(separator: ", ")
                    + (left.count > 5 ? ", …" : ""))
        }
        let chosen = choose(keep.count, maxImages: maxImages, seed: seed).map { keep[$0] }
        let set = try imageSet(chosen.map { decoded[$0] })
        return EvaluationImages(
            set: set, kind: "image folder", path: url.path, available: keep.count,
            notes: notes, inputFiles: chosen.map { files[$0] })
    }

    /// Every file (or `maxImages` of them), each decoded and framed at `side` × `side` at once,
    /// so that only the small images are held.
    private static func loadFramed(
        _ files: [URL], side: Int, framing: PhotoFraming, folder: URL, notes: [String], maxImages: Int?,
        seed: UInt64
    ) throws -> EvaluationImages {
        let chosen = choose(files.count, maxImages: maxImages, seed: seed).map { files[$0] }
        var resizedCount = 0, enlarged = 0
        let lock = NSLock()
        let images = try decode(chosen) { image in
            let result = try framing.frame(image, side: side)
            lock.lock()
            if result.resized { resizedCount += 1 }
            if result.enlarged { enlarged += 1 }
            lock.unlock()
            return result.image
        }
        var notes = notes
        if resizedCount > 0 {
            notes.append(
                "\(resizedCount) image(s) resized (shorter side to \(side + framing.margin) px, Lanczos-3) and centre-cropped to "
                    + "\(side)×\(side)" + (enlarged > 0 ? ", \(enlarged) of them enlarged" : ""))
        }
        var loaded = EvaluationImages(
            set: try imageSet(images), kind: "image folder", path: folder.path, available: files.count,
            notes: notes, inputFiles: chosen)
        loaded.framing = framing.describe(side: side)
        return loaded
    }

    /// The files decoded on all threads, each passed through `transform`; the first error is
    /// thrown, naming its file.
    private static func decode(_ files: [URL], transform: (RGBImage) throws -> RGBImage) throws -> [RGBImage] {
        var images = [RGBImage?](repeating: nil, count: files.count)
        let failures = FirstFailure()
        images.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress!
            parallelFor(files.count) { i in
                guard !failures.occurred else { return }
                do {
                    base[i] = try transform(try ImageFile.read(from: files[i]))
                } catch let error as FileFormatError {
                    failures.record(error)
                } catch {
                    failures.record(FileFormatError(.malformed, path: files[i].path, "\(error)"))
                }
            }
        }
        try failures.rethrow()
        return images.map { $0! }
    }

    /// One set of same-sized images.
    private static func imageSet(_ images: [RGBImage]) throws -> ImageSet {
        let first = images[0]
        var pixels: [UInt8] = []
        pixels.reserveCapacity(images.count * first.pixels.count)
        for image in images { pixels += image.pixels }
        return try ImageSet(count: images.count, height: first.height, width: first.width, pixels: pixels)
    }
}
