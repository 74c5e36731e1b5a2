import Foundation

/// An image folder as a catalog: class folders give labels (a flat folder is one class,
/// "unlabelled"); validation and test images are drawn per class from the split's seed.
enum FolderCatalog {
    static let unlabelledClassName = "unlabelled"

    static func catalog(root: URL, split: RandomSplit) throws -> DatasetCatalog {
        let folder = try ImageFolder.scan(root)
        let labels = folder.labels ?? Array(repeating: 0, count: folder.files.count)
        let subsets = try split.subsets(count: folder.files.count, labels: folder.labels)
        var items: [DatasetItem] = []
        items.reserveCapacity(folder.files.count)
        for (i, file) in namedFiles(folder, root: root).enumerated() {
            items.append(DatasetItem(name: file.name, label: labels[i], subset: subsets[i], origin: .file(file.url)))
        }
        var notes: [String] = []
        if folder.labels == nil {
            notes.append("no class folders: all \(items.count) images get label 0 (\"\(unlabelledClassName)\")")
        }
        var parameters = split.parameters
        parameters["layout"] = folder.labels == nil ? "flat" : "class folders"
        return DatasetCatalog(
            kind: .folder, root: root,
            classNames: folder.labels == nil ? [unlabelledClassName] : folder.classNames,
            items: items, notes: notes, parameters: parameters)
    }

    /// The images of `folder` in catalog order, each named by its path relative to `root`.
    static func namedFiles(_ folder: ImageFolder, root: URL) -> [(name: String, url: URL)] {
        let prefix = root.standardizedFileURL.path + "/"
        return folder.files.map { file in
            let path = file.standardizedFileURL.path
            return (path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : file.lastPathComponent, file)
        }
    }
}
