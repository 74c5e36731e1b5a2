import Foundation

/// An image folder as a catalog: class folders give labels (a flat folder is one class,
/// "unlabelled"); validation and test images are drawn per class from the split's seed.
enum FolderCatalog {
    static let unlabelledClassName = "unlabelled"

    static func catalog(root: URL, split: RandomSplit) throws -> DatasetCatalog {
        let folder = try ImageFolder.scan(root)
        let labels = folder.labels ?? Array(repeating: 0, count: folder.files.count)
        let subsets = try split.subsets(count: folder.files.count, labels: folder.labels)
        let prefix = root.standardizedFileURL.path + "/"
        var items: [DatasetItem] = []
        items.reserveCapacity(folder.files.count)
        for (i, file) in folder.files.enumerated() {
            let path = file.standardizedFileURL.path
            let name = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : file.lastPathComponent
            items.append(DatasetItem(name: name, label: labels[i], subset: subsets[i], origin: .file(file)))
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
}
