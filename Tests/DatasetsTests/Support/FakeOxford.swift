import Datasets
import FileFormats
import Foundation

/// Test-only: a tiny Oxford Flowers 102 folder in the official layout (`jpg/`,
/// `imagelabels.mat`, `setid.mat`, optionally `cat_to_name.json`).
struct FakeOxford {
    /// 1-based image number → class id (1…102) of every labelled image.
    var labels: [Int]
    var train: [Int]
    var validation: [Int]
    var test: [Int]
    /// Image numbers to write into `jpg/` (default: every image a split lists).
    var present: [Int]?
    var classNames: [String: String]? = [
        "1": "pink primrose", "2": "hard-leaved pocket orchid", "3": "canterbury bells",
    ]

    /// Six images in three classes: train 1, 2, 3; validation 4, 5; test 6.
    static let small = FakeOxford(labels: [1, 2, 3, 1, 2, 3], train: [1, 2, 3], validation: [4, 5], test: [6])

    /// The photo written for image `number`: its size and colour depend on the number.
    static func photo(_ number: Int) -> RGBImage {
        TestImages.constant(
            width: 60 + number, height: 48, (UInt8(number * 20 % 256), 100, UInt8(255 - number * 20 % 256)))
    }

    @discardableResult
    func write(in directory: URL) throws -> URL {
        let fm = FileManager.default
        let jpg = directory.appendingPathComponent("jpg")
        try fm.createDirectory(at: jpg, withIntermediateDirectories: true)
        for number in present ?? (train + validation + test) {
            let data = try JPEGImage.encode(FakeOxford.photo(number), quality: 95, subsampling: .s444)
            try data.write(to: jpg.appendingPathComponent(OxfordFlowers102.imageName(number)))
        }
        try MATWriter.file([("labels", labels.map(Double.init), .uint8)])
            .write(to: directory.appendingPathComponent("imagelabels.mat"))
        try MATWriter.file([
            ("trnid", train.map(Double.init), .uint16), ("valid", validation.map(Double.init), .uint16),
            ("tstid", test.map(Double.init), .uint16),
        ])
        .write(to: directory.appendingPathComponent("setid.mat"))
        if let classNames {
            try JSONEncoder().encode(classNames).write(to: directory.appendingPathComponent("cat_to_name.json"))
        }
        return directory
    }
}
