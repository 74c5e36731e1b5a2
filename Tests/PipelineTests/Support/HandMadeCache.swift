import Datasets
import FileFormats
import Foundation

/// A dataset cache written row by row in the layout `prepare` writes (`DatasetCacheLayout`), with
/// the images, classes and subsets a test chooses: class mixes no split fraction would give.
enum HandMadeCache {
    struct Row {
        var image: RGBImage
        var label: Int
        var subset: DatasetSubset
    }

    /// Writes `folder/images.h5` (no manifest); every image is `size + margin` square.
    @discardableResult
    static func write(_ rows: [Row], classNames: [String], size: Int, margin: Int = 0, to folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let side = size + margin
        let file = try HDF5File.create(at: folder.appendingPathComponent(DatasetCacheLayout.imagesFile))
        try file.createDataset("images", type: .uint8, shape: [rows.count, side, side, 3])
            .write(rows.flatMap(\.image.pixels))
        try file.createDataset("labels", type: .int64, shape: [rows.count]).write(rows.map { Int64($0.label) })
        try file.createDataset("split", type: .uint8, shape: [rows.count]).write(rows.map(\.subset.rawValue))
        try file.writeStrings(rows.indices.map { "row\($0).png" }, to: "files")
        try file.writeStrings(classNames, to: "class_names")
        let attributes = [
            "format": DatasetCacheLayout.formatName, "version": "\(DatasetCacheLayout.formatVersion)",
            "size": "\(size)", "margin": "\(margin)", "source": "folder",
        ]
        for (name, value) in attributes { try file.setAttribute(name, value) }
        try file.commit()
        return folder
    }

    /// `redCount` solid red images of class 0 and `blueCount` solid blue ones of class 1 (32 px),
    /// in `subset`: class mixes at a glance, whose differences a distribution metric sees plainly.
    static func redAndBlue(_ redCount: Int, _ blueCount: Int, _ subset: DatasetSubset) -> [Row] {
        let red = solid((220, 20, 20), side: 32), blue = solid((20, 20, 220), side: 32)
        return Array(repeating: Row(image: red, label: 0, subset: subset), count: redCount)
            + Array(repeating: Row(image: blue, label: 1, subset: subset), count: blueCount)
    }

    /// A `side`-square image of one colour with a faint seeded speckle (±`speckle` per channel),
    /// so that sets of one colour still have some spread.
    static func solid(_ colour: (UInt8, UInt8, UInt8), side: Int, speckle: Int = 0, seed: UInt64 = 0) -> RGBImage {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var pixels: [UInt8] = []
        pixels.reserveCapacity(side * side * 3)
        for _ in 0..<(side * side) {
            for channel in [colour.0, colour.1, colour.2] {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let offset = speckle == 0 ? 0 : Int(state >> 33) % (2 * speckle + 1) - speckle
                pixels.append(UInt8(clamping: Int(channel) + offset))
            }
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }
}
