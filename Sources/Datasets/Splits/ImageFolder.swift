import FileFormats
import Foundation

/// The images of a folder, found by name (decoding happens later, elsewhere).
///
/// Two layouts are recognised:
/// - class folders: `root/<class>/…/*.{jpg,jpeg,png}`; class names are the folder names sorted,
///   and a class's id is its position in that order;
/// - a flat folder: `root/*.{jpg,jpeg,png}`, without labels.
///
/// Extensions are matched ignoring case. Hidden files and folders (names starting with ".")
/// and macOS archive debris (`__MACOSX`) are skipped; folders without any image are not classes.
public struct ImageFolder: Sendable {
    public let root: URL
    /// Image files, class by class, each class sorted by relative path.
    public let files: [URL]
    /// The class id of each file, or nil for a flat folder.
    public let labels: [Int]?
    /// Class names by id (empty for a flat folder).
    public let classNames: [String]

    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Scans `root`.
    /// - Throws: `FileFormatError` if `root` is missing or not a readable folder;
    ///   `DatasetError.emptyDataset` if it holds no images in either layout.
    public static func scan(_ root: URL) throws -> ImageFolder {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw FileFormatError(.notFound, path: root.path, "image folder does not exist")
        }
        guard isDirectory.boolValue else {
            throw FileFormatError(.unreadable, path: root.path, "expected a folder of images, found a file")
        }
        let entries = try visibleEntries(of: root)
        var classNames: [String] = []
        var files: [URL] = []
        var labels: [Int] = []
        for entry in entries where isFolder(entry) {
            let images = try imagesBelow(entry)
            guard !images.isEmpty else { continue }
            labels += Array(repeating: classNames.count, count: images.count)
            classNames.append(entry.lastPathComponent)
            files += images
        }
        if !classNames.isEmpty {
            return ImageFolder(root: root, files: files, labels: labels, classNames: classNames)
        }
        let flat = entries.filter { !isFolder($0) && isImage($0) }
        guard !flat.isEmpty else {
            throw DatasetError(
                .emptyDataset,
                "\(root.path): no .jpg, .jpeg or .png images, neither in class folders nor directly inside")
        }
        return ImageFolder(root: root, files: flat, labels: nil, classNames: [])
    }

    static func isImage(_ url: URL) -> Bool { imageExtensions.contains(url.pathExtension.lowercased()) }

    static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Entries of `folder` that are not hidden, sorted by name.
    private static func visibleEntries(of folder: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw FileFormatError(.unreadable, path: folder.path, "cannot list folder: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") && $0 != "__MACOSX" }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    /// All images in `folder` and its visible subfolders, sorted by path.
    private static func imagesBelow(_ folder: URL) throws -> [URL] {
        var result: [URL] = []
        for entry in try visibleEntries(of: folder) {
            if isFolder(entry) {
                result += try imagesBelow(entry)
            } else if isImage(entry) {
                result.append(entry)
            }
        }
        return result
    }
}
