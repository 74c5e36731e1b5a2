import FileFormats

/// Writes the per-row and per-file metadata of a cache: labels, split, file names, class names
/// and the root attributes (see `DatasetCacheLayout`).
enum CacheMetadataWriter {
    static func write(items: [DatasetItem], catalog: DatasetCatalog, options: PrepareOptions, to file: HDF5File) throws
    {
        let count = items.count
        try file.createDataset(DatasetCacheLayout.labels, type: .int64, shape: [count])
            .write(items.map { Int64($0.label) })
        try file.createDataset(DatasetCacheLayout.split, type: .uint8, shape: [count])
            .write(items.map { $0.subset.rawValue })
        try file.writeStrings(items.map(\.name), to: DatasetCacheLayout.files)
        try file.writeStrings(catalog.classNames, to: DatasetCacheLayout.classNames)
        let attributes: [(String, String)] = [
            ("format", DatasetCacheLayout.formatName),
            ("version", "\(DatasetCacheLayout.formatVersion)"),
            ("size", "\(options.size)"),
            ("margin", "\(options.margin)"),
            ("stored_size", "\(options.storedSize)"),
            ("filter", options.filter.rawValue),
            ("source", catalog.kind.rawValue),
            ("source_path", catalog.root?.path ?? ""),
            ("count", "\(count)"),
            ("train_count", "\(items.filter { $0.subset == .train }.count)"),
            ("validation_count", "\(items.filter { $0.subset == .validation }.count)"),
            ("test_count", "\(items.filter { $0.subset == .test }.count)"),
            ("class_count", "\(catalog.classNames.count)"),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value) }
    }
}
