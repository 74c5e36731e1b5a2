import Datasets
import FileFormats
import Foundation
import FuzzSupport

/// Writes the seed corpora under `Fuzz/Corpus/<target>/`: a few small real files from the shared
/// data folder (photos, MAT files, reference tensors), files the project's own writers make from
/// them (PNG, JPEG variants, an image cache, a latent cache, safetensors) and hand-made PNGs in
/// the colour types our writer does not produce. Run by `Scripts/fuzz.sh seeds SHARED_DIR`.
/// tar seeds are made by the script with the system's tar.
@main
struct MakeSeeds {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            print("usage: make-seeds SHARED_DIR CORPUS_DIR")
            exit(2)
        }
        let shared = URL(fileURLWithPath: arguments[1])
        let corpus = URL(fileURLWithPath: arguments[2])
        let photos = try smallestPhotos(shared.appendingPathComponent("data/oxford102/jpg"), count: 3)

        try copy(photos[0..<2], to: corpus.appendingPathComponent("jpeg"))
        let photo = try JPEGImage.read(from: photos[0])
        let crop = crop(photo, side: 16)
        try write(corpus, "jpeg", "crop-420.jpg", JPEGImage.encode(crop, quality: 90))
        try write(
            corpus, "jpeg", "crop-444-progressive.jpg",
            JPEGImage.encode(crop, quality: 75, subsampling: .s444, progressive: true))
        try write(corpus, "jpeg", "crop-gray.jpg", JPEGImage.encode(crop, quality: 50, subsampling: .gray))
        let cmyk = insertingFourthChannel(crop.pixels) { _ in 200 }
        try write(corpus, "jpeg", "crop-cmyk.jpg", JPEGImage.encodeCMYK(width: 16, height: 16, cmyk: cmyk, quality: 50))

        try write(corpus, "png", "crop-rgb.png", PNGImage.encode(crop))
        let small = Self.crop(photo, side: 6)
        let rgba = insertingFourthChannel(small.pixels) { UInt8($0 * 40 & 0xFF) }
        try write(corpus, "png", "crop-rgba.png", PNGImage.encodeRGBA(width: 6, height: 6, pixels: rgba))
        try write(
            corpus, "png", "gray-1bit.png",
            HandMadePNG.file(width: 8, height: 2, bitDepth: 1, colorType: 0, rawRows: [0, 0xA5, 1, 0x3C]))
        try write(
            corpus, "png", "palette-trns.png",
            HandMadePNG.file(
                width: 2, height: 2, bitDepth: 8, colorType: 3,
                extraChunks: [("PLTE", [255, 0, 0, 0, 255, 0]), ("tRNS", [128])], rawRows: [0, 0, 1, 2, 1, 0]))
        try write(
            corpus, "png", "rgb16-gamma.png",
            HandMadePNG.file(
                width: 1, height: 2, bitDepth: 16, colorType: 2, extraChunks: [("gAMA", [0, 0, 0xB1, 0x8F])],
                rawRows: [0, 1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 0, 0, 0]))
        try write(
            corpus, "png", "gray-alpha-interlaced.png",
            HandMadePNG.file(width: 1, height: 1, bitDepth: 8, colorType: 4, interlaced: true, rawRows: [0, 90, 200]))

        let golden = shared.appendingPathComponent("golden")
        try copy(
            ["adamw", "embedding"].map { golden.appendingPathComponent("\($0).safetensors") },
            to: corpus.appendingPathComponent("safetensors"))
        var tensors = SafetensorsFile(metadata: ["step": "7", "note": "seed"])
        tensors.tensors["weight"] = try SafetensorsTensor(
            dtype: .f16, shape: [2, 2], bytes: [0, 60, 0, 188, 0, 0, 0, 124])
        tensors.tensors["ids"] = SafetensorsTensor(int64s: [1, -2, 3], shape: [3])
        tensors.tensors["mask"] = try SafetensorsTensor(dtype: .u8, shape: [1, 2], bytes: [0, 1])
        tensors.tensors["scalar"] = SafetensorsTensor(floats: [0.5], shape: [])
        try write(corpus, "safetensors", "mixed-dtypes.safetensors", tensors.encoded())

        let oxford = shared.appendingPathComponent("data/oxford102")
        let labels = try Data(contentsOf: oxford.appendingPathComponent(OxfordFlowers102.labelsFile))
        let splits = try Data(contentsOf: oxford.appendingPathComponent(OxfordFlowers102.splitsFile))
        try write(corpus, "mat", "imagelabels.mat", labels)
        try write(corpus, "mat", "setid.mat", splits)
        // Both files' variables behind one header: a file the mat target reads as labels and splits.
        try write(corpus, "mat", "labels-and-splits.mat", labels + splits.dropFirst(128))

        try write(corpus, "dataset-cache", "images.h5", imageCache(photos: photos))
        try write(corpus, "latent-cache", "latents.h5", latentCache(augmentations: 0))
        try write(corpus, "latent-cache", "latents-augmented.h5", latentCache(augmentations: 1))
    }

    /// The `count` smallest photos of the folder, by file size.
    static func smallestPhotos(_ folder: URL, count: Int) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }
        let sized = try names.map { name -> (URL, Int) in
            let url = folder.appendingPathComponent(name)
            return (url, try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? .max)
        }
        return sized.sorted { ($0.1, $0.0.path) < ($1.1, $1.0.path) }.prefix(count).map(\.0)
    }

    /// Interleaved 3-channel pixels with a fourth channel (alpha, or K of CMYK) made from the pixel index.
    static func insertingFourthChannel(_ pixels: [UInt8], _ fourth: (Int) -> UInt8) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<pixels.count / 3 { out += pixels[(3 * i)..<(3 * i + 3)] + [fourth(i)] }
        return out
    }

    static func crop(_ image: RGBImage, side: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<side { pixels += image.pixels[(y * image.width * 3)..<(y * image.width * 3 + side * 3)] }
        return RGBImage(width: side, height: side, pixels: pixels)
    }

    /// A 32 px cache of three real photos in two classes, as `pipeline prepare` writes it.
    static func imageCache(photos: [URL]) throws -> Data {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fmf-seeds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        for (i, photo) in photos.enumerated() {
            let folder = work.appendingPathComponent("photos/\(i == 0 ? "daisy" : "rose")")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: photo, to: folder.appendingPathComponent(photo.lastPathComponent))
        }
        let catalog = try DatasetSource.folder(
            root: work.appendingPathComponent("photos"),
            split: RandomSplit(validation: 0.34, test: 0)
        ).catalog()
        let result = try DatasetPreparer(options: PrepareOptions(size: 32, margin: 0, threads: 1))
            .prepare(catalog, into: work.appendingPathComponent("cache"))
        return try Data(contentsOf: result.cacheFile)
    }

    /// A latent cache of three rows of 4×2×2 latents and 2 code levels, laid out as
    /// `pipeline encode` writes it (see `LatentCache`), with `augmentations` frozen variants.
    static func latentCache(augmentations: Int) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fmf-seeds-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try HDF5File.create(at: url)
        let n = 3, shape = [4, 2, 2], levels = 2
        let values = (0..<n * 16).map { Float($0) / 8 - 1 }
        for kind in ["continuous", "quantized"] {
            try file.createDataset(kind, type: .float32, shape: [n] + shape).write(values)
            try file.createDataset("\(kind)_mean", type: .float32, shape: [4]).write([Float](repeating: 0.1, count: 4))
            try file.createDataset("\(kind)_std", type: .float32, shape: [4]).write([Float](repeating: 0.9, count: 4))
            if augmentations > 0 {
                try file.createDataset("augmented/\(kind)", type: .float32, shape: [n, augmentations] + shape)
                    .write(values.map { -$0 })
            }
        }
        try file.createDataset("codes", type: .int16, shape: [n, levels, 2, 2]).write((0..<n * 8).map { Int16($0 % 5) })
        if augmentations > 0 {
            try file.createDataset("augmented/codes", type: .int16, shape: [n, augmentations, levels, 2, 2])
                .write((0..<n * 8).map { Int16($0 % 3) })
        }
        try file.createDataset("labels", type: .int64, shape: [n]).write([Int64(0), 1, 1])
        try file.createDataset("split", type: .uint8, shape: [n]).write([UInt8(0), 0, 1])
        try file.writeStrings(["daisy", "rose"], to: "class_names")
        let attributes = [
            "format": "fmf-latent-cache", "version": "1", "count": "\(n)", "levels": "\(levels)",
            "augmentations": "\(augmentations)", "augmentation_kinds": augmentations > 0 ? "flip" : "",
            "image_size": "32", "autoencoder_sha256": String(repeating: "ab", count: 32),
        ]
        for (key, value) in attributes { try file.setAttribute(key, value) }
        try file.commit()
        return try Data(contentsOf: url)
    }

    static func copy<S: Sequence>(_ files: S, to folder: URL) throws where S.Element == URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            let target = folder.appendingPathComponent(file.lastPathComponent)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: file, to: target)
        }
    }

    static func write(_ corpus: URL, _ target: String, _ name: String, _ data: Data) throws {
        let folder = corpus.appendingPathComponent(target)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try data.write(to: folder.appendingPathComponent(name))
    }
}
