import FileFormats
import Foundation

/// Reader for the official Oxford Flowers 102 layout, as `102flowers.tgz`, `imagelabels.mat`
/// and `setid.mat` unpack (Nilsback & Zisserman, VGG, 2008):
///
/// - `jpg/image_NNNNN.jpg`: the photos, numbered from 1 (8,189 in the full download);
/// - `imagelabels.mat`: variable `labels`, the class id (1…102) of every image, by number;
/// - `setid.mat`: variables `trnid`, `valid`, `tstid`, the 1-based image numbers of the train,
///   validation and test splits;
/// - `cat_to_name.json` (optional, not part of the official download): class id → flower name.
///
/// Items are the images the three splits list, in image-number order, with 0-based labels.
/// A copy may hold fewer photos than `imagelabels.mat` labels, as long as `setid.mat` lists
/// only photos that are present. Everything is checked before any image is decoded.
public enum OxfordFlowers102 {
    public static let classCount = 102
    public static let imageFolder = "jpg"
    public static let labelsFile = "imagelabels.mat"
    public static let splitsFile = "setid.mat"
    public static let classNamesFile = "cat_to_name.json"

    /// The file name of image `number` (1-based): `image_00001.jpg`.
    public static func imageName(_ number: Int) -> String {
        let digits = String(number)
        return "image_" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".jpg"
    }

    /// The image number in a file name such as `image_00001.jpg`, or nil for other names.
    static func imageNumber(_ name: String) -> Int? {
        guard name.hasPrefix("image_"), name.hasSuffix(".jpg") else { return nil }
        let digits = name.dropFirst(6).dropLast(4)
        guard digits.count == 5, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 1 else { return nil }
        return n
    }

    /// Reads labels, splits and class names and lists `jpg/`.
    /// - Throws: `FileFormatError` for a missing folder or label file, or one that cannot be
    ///   parsed or lacks a variable; `DatasetError.labelMismatch` when labels, splits and images
    ///   contradict each other; `DatasetError.missingImages` when `setid.mat` lists photos that
    ///   are not in `jpg/` (unless `allowMissingImages`, which skips and lists them).
    public static func catalog(root: URL, allowMissingImages: Bool = false) throws -> DatasetCatalog {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileFormatError(
                .notFound, path: root.path,
                "Oxford Flowers 102 folder does not exist (download it with `pipeline fetch-data --dest DIR`)")
        }
        let labelsURL = root.appendingPathComponent(labelsFile)
        let splitsURL = root.appendingPathComponent(splitsFile)
        let labels = try readLabels(labelsURL)
        let splits = try readSplits(splitsURL, labelCount: labels.count, labelsURL: labelsURL)
        let namesURL = root.appendingPathComponent(classNamesFile)
        let hasNames = fm.fileExists(atPath: namesURL.path)
        let classNames = hasNames ? try readClassNames(namesURL) : (1...classCount).map { "class \($0)" }

        let jpg = root.appendingPathComponent(imageFolder)
        let present = try listImages(jpg, labelCount: labels.count, labelsURL: labelsURL)

        var listed: [(number: Int, subset: DatasetSubset)] = []
        for (subset, numbers) in splits { listed += numbers.map { ($0, subset) } }
        listed.sort { $0.number < $1.number }
        let missing = listed.filter { !present.numbers.contains($0.number) }
        var skipped: [SkippedFile] = []
        if !missing.isEmpty {
            let names = missing.prefix(3).map { imageName($0.number) }.joined(separator: ", ")
            guard allowMissingImages else {
                throw DatasetError(
                    .missingImages,
                    "\(splitsURL.path) lists \(missing.count) image(s) that are not in \(jpg.path) (\(names)\(missing.count > 3 ? ", …" : "")); the copy is incomplete: fetch it again (`pipeline fetch-data`), or allow a partial copy (--allow-missing)"
                )
            }
            skipped = missing.map {
                SkippedFile(
                    file: "\(imageFolder)/\(imageName($0.number))",
                    reason: "listed in \(splitsFile) (\($0.subset)) but not in \(imageFolder)/")
            }
        }
        let missingNumbers = Set(missing.map(\.number))
        let items = listed.filter { !missingNumbers.contains($0.number) }.map { entry -> DatasetItem in
            let name = imageName(entry.number)
            return DatasetItem(
                name: "\(imageFolder)/\(name)", label: labels[entry.number - 1], subset: entry.subset,
                origin: .file(jpg.appendingPathComponent(name)))
        }

        var notes: [String] = []
        let listedNumbers = Set(listed.map(\.number))
        let unlisted = present.numbers.subtracting(listedNumbers).count
        if unlisted > 0 {
            notes.append("\(unlisted) image(s) in \(imageFolder)/ are in no split of \(splitsFile) and are left out")
        }
        if present.otherFiles > 0 {
            notes.append(
                "\(present.otherFiles) file(s) in \(imageFolder)/ are not named image_NNNNN.jpg and are left out")
        }
        if !hasNames { notes.append("no \(classNamesFile): classes are named \"class 1\" … \"class \(classCount)\"") }
        var labelFiles = [labelsURL, splitsURL]
        if hasNames { labelFiles.append(namesURL) }
        return DatasetCatalog(
            kind: .oxford, root: root, classNames: classNames, items: items, labelFiles: labelFiles,
            skipped: skipped, notes: notes,
            parameters: ["allow_missing_images": "\(allowMissingImages)"])
    }

    // MARK: - Label files

    /// The 0-based class of every image, by image number − 1.
    static func readLabels(_ url: URL) throws -> [Int] {
        let variables = try readMAT(url, role: "the class of every image")
        let values = try MATVector.integers(variables, "labels", in: url)
        guard !values.isEmpty else { throw FileFormatError(.malformed, path: url.path, "variable 'labels' is empty") }
        if let bad = values.firstIndex(where: { !(1...classCount).contains($0) }) {
            throw FileFormatError(
                .malformed, path: url.path,
                "label \(values[bad]) of image \(bad + 1) is outside the class ids 1…\(classCount)")
        }
        return values.map { $0 - 1 }
    }

    /// The image numbers of each split, checked against the number of labelled images.
    static func readSplits(_ url: URL, labelCount: Int, labelsURL: URL) throws -> [(DatasetSubset, [Int])] {
        let variables = try readMAT(url, role: "the train/validation/test image numbers")
        var result: [(DatasetSubset, [Int])] = []
        var seen: [Int: String] = [:]
        for (subset, name) in [(DatasetSubset.train, "trnid"), (.validation, "valid"), (.test, "tstid")] {
            let numbers = try MATVector.integers(variables, name, in: url)
            for n in numbers {
                guard n >= 1 && n <= labelCount else {
                    throw DatasetError(
                        .labelMismatch,
                        "\(url.path): '\(name)' lists image \(n), but \(labelsURL.path) has labels for images 1…\(labelCount) only"
                    )
                }
                if let other = seen[n] {
                    throw FileFormatError(
                        .malformed, path: url.path, "image \(n) is listed twice (in '\(other)' and '\(name)')")
                }
                seen[n] = name
            }
            result.append((subset, numbers))
        }
        guard !seen.isEmpty else {
            throw DatasetError(.emptyDataset, "\(url.path): 'trnid', 'valid' and 'tstid' are all empty")
        }
        return result
    }

    private static func readMAT(_ url: URL, role: String) throws -> [String: MATArray] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FileFormatError(
                .notFound, path: url.path,
                "missing; Oxford Flowers 102 needs it for \(role) (download it with `pipeline fetch-data`)")
        }
        return try MATFile.read(from: url)
    }

    /// Class names from `cat_to_name.json` ({"1": "pink primrose", …}); ids it lacks are "class N".
    static func readClassNames(_ url: URL) throws -> [String] {
        let table = try JSONFile.read([String: String].self, from: url)
        var names = (1...classCount).map { "class \($0)" }
        for (key, name) in table {
            guard let id = Int(key.trimmingCharacters(in: .whitespaces)), (1...classCount).contains(id) else {
                throw FileFormatError(.malformed, path: url.path, "key \"\(key)\" is not a class id in 1…\(classCount)")
            }
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { names[id - 1] = trimmed }
        }
        return names
    }

    // MARK: - Images

    struct Listing {
        var numbers: Set<Int>
        var otherFiles: Int
    }

    /// The image numbers present in `jpg/` (one directory listing, no file is opened).
    static func listImages(_ folder: URL, labelCount: Int, labelsURL: URL) throws -> Listing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw FileFormatError(.notFound, path: folder.path, "the Oxford Flowers 102 image folder is missing")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw FileFormatError(.unreadable, path: folder.path, "cannot list folder: \(error.localizedDescription)")
        }
        var listing = Listing(numbers: [], otherFiles: 0)
        for name in names where !name.hasPrefix(".") {
            if let n = imageNumber(name) {
                guard n <= labelCount else {
                    throw DatasetError(
                        .labelMismatch,
                        "\(folder.path) holds \(name), but \(labelsURL.path) has labels for images 1…\(labelCount) only"
                    )
                }
                listing.numbers.insert(n)
            } else {
                listing.otherFiles += 1
            }
        }
        return listing
    }
}
